import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { TetherError } from '../errors.ts';

/**
 * Resolves a requested working directory (absolute, or relative to the first root) through symlinks
 * and accepts it only inside a configured root (also resolved). No cwd: the first root.
 */
export async function resolveWorkspace(
  requested: string | undefined,
  roots: readonly string[],
): Promise<string> {
  const realRoots = (await Promise.all(roots.map((root) => realpath(root).catch(() => undefined)))).filter(
    (root): root is string => root !== undefined,
  );
  const first = realRoots[0];
  if (!first) throw new TetherError('ERR_CWD_OUTSIDE_ROOTS', 'no configured workspace root exists');
  if (requested === undefined) return first;
  const candidate = isAbsolute(requested) ? requested : resolve(first, requested);
  const real = await realpath(candidate).catch(() => undefined);
  if (!real)
    throw new TetherError(
      'ERR_CWD_NOT_FOUND',
      `working directory ${JSON.stringify(requested)} does not exist`,
    );
  const inside = realRoots.some((root) => {
    const rel = relative(root, real);
    return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
  });
  if (!inside) {
    throw new TetherError(
      'ERR_CWD_OUTSIDE_ROOTS',
      `working directory ${JSON.stringify(requested)} is outside the workspace roots`,
    );
  }
  return real;
}
