import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/** Resolves a program the way execvp would: an absolute path as is, a bare name along PATH. */
export async function findBinary(binary: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  const candidates = isAbsolute(binary)
    ? [binary]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, binary));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}
