import { randomBytes } from 'node:crypto';
import { OWNER_ENV } from './environ.ts';

/**
 * This process's own marker: the one it inherited (a keeper or an outer Tether started it), or a
 * fresh instance id. Every child gets `<instance>/<n>`, so a sweep for the instance finds them all.
 */
export const instanceOwner: string =
  process.env[OWNER_ENV] || `tether-${process.pid}-${randomBytes(4).toString('hex')}`;

let sequence = 0;

export function nextOwnerId(): string {
  sequence += 1;
  return `${instanceOwner}/${sequence}`;
}
