import { fileURLToPath } from 'node:url';

/** The folder of tiny executable fixture programs. */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** argv for a fixture: `fixture('streamer', 'exit')` → ['/…/test/fixtures/streamer', 'exit']. */
export function fixture(name: string, ...args: string[]): string[] {
  return [`${FIXTURES_DIR}${name}`, ...args];
}
