/** Shorter values would redact ordinary words; a real token or key is longer. */
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces every occurrence of a secret value in a log line with `[REDACTED]`, both as written and
 * as JSON escapes it. Applied to each serialized line, so no field or message can carry one out.
 */
export class SecretRedactor {
  readonly #needles: string[];

  constructor(secrets: Iterable<string>) {
    const needles = new Set<string>();
    for (const secret of secrets) {
      if (secret.length < MIN_SECRET_LENGTH) continue;
      needles.add(secret);
      needles.add(JSON.stringify(secret).slice(1, -1));
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.#needles = [...needles].sort((a, b) => b.length - a.length);
  }

  redact(line: string): string {
    let out = line;
    for (const needle of this.#needles) if (out.includes(needle)) out = out.split(needle).join('[REDACTED]');
    return out;
  }
}

/** Environment variable names that hold secrets by convention. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_KEY|CREDENTIAL|AUTH/i;

/**
 * The values to keep out of logs: bearer tokens, every variable a backend passes through (those are
 * API keys), and any variable whose name says it is a secret.
 */
export function secretValues(
  tokens: readonly string[],
  passedEnvNames: Iterable<string>,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const values = [...tokens];
  const names = new Set(passedEnvNames);
  for (const [name, value] of Object.entries(env)) {
    if (value && (names.has(name) || SECRET_NAME.test(name))) values.push(value);
  }
  return values;
}
