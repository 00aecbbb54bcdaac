import { readProcFile } from './proc-read.ts';

/** The environment variable every process Tether starts carries, inherited by all its descendants. */
export const OWNER_ENV = 'TETHER_OWNER';

/**
 * The raw NUL-separated environment a process was exec'd with, or undefined when it cannot be read
 * (gone, a zombie, or caught between fork and exec with no memory map yet).
 */
export function readEnviron(pid: number): string | undefined {
  const raw = readProcFile(`/proc/${pid}/environ`);
  return raw && raw.length > 0 ? raw : undefined;
}

/** Finds one variable in a raw environ block; null when it is not set. */
export function findEnvVar(raw: string, name: string): string | null {
  const prefix = `${name}=`;
  const at = raw.startsWith(prefix) ? 0 : raw.indexOf(`\0${prefix}`);
  if (at < 0) return null;
  const start = at === 0 ? prefix.length : at + 1 + prefix.length;
  const end = raw.indexOf('\0', start);
  return raw.slice(start, end < 0 ? undefined : end);
}

/** Reads one variable of a live process; undefined when unreadable, null when unset. */
export function readEnvVar(pid: number, name: string): string | null | undefined {
  const raw = readEnviron(pid);
  return raw === undefined ? undefined : findEnvVar(raw, name);
}

/** An owner marker belongs to `owner` when it is that owner or a nested owner below it (`owner/…`). */
export function markerBelongsTo(marker: string | undefined | null, owner: string): boolean {
  return typeof marker === 'string' && (marker === owner || marker.startsWith(`${owner}/`));
}
