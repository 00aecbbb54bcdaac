import type { TetherConfig } from '../config/schema.ts';
import { TetherError } from '../errors.ts';

/** The options a client may set on a run, validated and bounded by the server's limits. */
export interface RunOptions {
  readonly timeoutS: number;
  readonly idleTimeoutS: number;
  readonly maxOutputBytes: number;
  readonly detachGraceS: number;
  readonly model?: string;
}

const KNOWN = new Set(['timeout_s', 'idle_timeout_s', 'max_output_bytes', 'detach_grace_s', 'model']);

/** Reads `options` from a request body; unknown keys and out-of-range values are ERR_OPTION_NOT_ALLOWED. */
export function parseRunOptions(raw: unknown, limits: TetherConfig['limits']): RunOptions {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('options must be an object');
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input))
    if (!KNOWN.has(key)) throw bad(`unknown option ${JSON.stringify(key)}`);
  const num = (key: string, fallback: number, max: number, integer = false): number => {
    const value = input[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
      throw bad(`${key} must be a number in (0, ${max}]`);
    }
    if (integer && !Number.isInteger(value)) throw bad(`${key} must be a whole number`);
    return value;
  };
  const model = input.model;
  if (model !== undefined && (typeof model !== 'string' || !/^[\w.:/-]{1,128}$/.test(model))) {
    throw bad('model must be a short name of letters, digits and . : / - _');
  }
  return {
    timeoutS: num('timeout_s', limits.defaultTimeoutS, limits.maxTimeoutS),
    idleTimeoutS: num('idle_timeout_s', limits.idleTimeoutS, limits.maxTimeoutS),
    maxOutputBytes: num('max_output_bytes', limits.maxOutputBytes, limits.maxOutputBytes, true),
    detachGraceS: input.detach_grace_s === undefined ? 0 : num('detach_grace_s', 0, limits.maxDetachGraceS),
    ...(typeof model === 'string' ? { model } : {}),
  };
}

function bad(message: string): TetherError {
  return new TetherError('ERR_OPTION_NOT_ALLOWED', message);
}
