/** Reads one config value; a malformed one yields the fallback and a warning, never a crash. */
export class ValueReader {
  readonly warnings: string[] = [];

  number(value: unknown, fallback: number, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (value === undefined) return fallback;
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n === 'number' && Number.isFinite(n) && n >= min && n <= max) return n;
    this.warnings.push(
      `${path}: ${JSON.stringify(value)} is not a number in [${min}, ${max}]; using ${fallback}`,
    );
    return fallback;
  }

  string(value: unknown, fallback: string, path: string): string {
    if (value === undefined) return fallback;
    if (typeof value === 'string' && value.length > 0) return value;
    this.warnings.push(
      `${path}: ${JSON.stringify(value)} is not a non-empty string; using ${JSON.stringify(fallback)}`,
    );
    return fallback;
  }

  strings(value: unknown, fallback: readonly string[], path: string): readonly string[] {
    if (value === undefined) return fallback;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0)) return value;
    this.warnings.push(`${path}: expected a list of non-empty strings; using the default`);
    return fallback;
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, path: string): T {
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.warnings.push(
      `${path}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}; using ${fallback}`,
    );
    return fallback;
  }
}
