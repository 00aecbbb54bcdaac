/** Stable error codes. Every code is documented in docs/errors.md (a test keeps the two in step). */
export const ERROR_CODES = {
  ERR_SPAWN_NOT_FOUND: 'The program to start does not exist or is not on PATH.',
  ERR_SPAWN_PERMISSION: 'The program exists but may not be executed (EACCES).',
  ERR_SPAWN_BAD_CWD: 'The working directory does not exist or is not a directory.',
  ERR_SPAWN_FAILED: 'The operating system refused to start the program for another reason.',
  ERR_INVALID_ARGUMENT: 'An option passed to the library has the wrong shape or value.',
  ERR_CLOSED: 'The owner of this resource is closing or closed; it takes no new work.',
  ERR_PLATFORM: 'The platform lacks a facility Tether needs (for example /proc).',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The one error class of Tether. `code` is stable and safe to branch on; `message` is for humans.
 *
 * @example
 * try { await spawnProcess({ argv: ['/nope'] }) } catch (e) { if (e instanceof TetherError && e.code === 'ERR_SPAWN_NOT_FOUND') … }
 */
export class TetherError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TetherError';
    this.code = code;
  }
}

export function isTetherError(value: unknown, code?: ErrorCode): value is TetherError {
  return value instanceof TetherError && (code === undefined || value.code === code);
}
