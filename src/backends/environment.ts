/** Variables every child gets from the server's environment, when set: enough to run a program. */
const BASE = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER'];

/**
 * The child's environment: the base names plus the backend's allowlist, copied by name from the
 * server's environment (secrets are passed by name and never logged). Nothing comes from a client.
 */
export function childEnvironment(
  allow: readonly string[],
  source: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE, ...allow]) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
