/** Stable error codes. Every code is documented in docs/errors.md (a test keeps the two in step). */
export const ERROR_CODES = {
  ERR_SPAWN_NOT_FOUND: 'The program to start does not exist or is not on PATH.',
  ERR_SPAWN_PERMISSION: 'The program exists but may not be executed (EACCES).',
  ERR_SPAWN_BAD_CWD: 'The working directory does not exist or is not a directory.',
  ERR_SPAWN_FAILED: 'The operating system refused to start the program for another reason.',
  ERR_INVALID_ARGUMENT: 'An option passed to the library has the wrong shape or value.',
  ERR_CLOSED: 'The owner of this resource is closing or closed; it takes no new work.',
  ERR_PLATFORM: 'The platform lacks a facility Tether needs (for example /proc).',
  ERR_CONFIG: 'The configuration file cannot be read or parsed.',
  ERR_BAD_REQUEST: 'The request body does not have the documented shape.',
  ERR_INVALID_JSON: 'The request body is not valid JSON.',
  ERR_BODY_TOO_LARGE: 'The request body is larger than server.body_limit_bytes.',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'The request body is not application/json.',
  ERR_REQUEST_TIMEOUT: 'The request (headers and body) did not arrive within server.request_timeout_s.',
  ERR_HEADERS_TOO_LARGE: 'The request headers are larger than the server accepts.',
  ERR_UNAUTHORIZED: 'A bearer token is required and was missing or wrong.',
  ERR_NOT_FOUND: 'No such route.',
  ERR_RUN_NOT_FOUND: 'No run with that id (or it ended long enough ago to be forgotten).',
  ERR_BACKEND_NOT_FOUND: 'No backend with that name is configured.',
  ERR_OPTION_NOT_ALLOWED: 'A run option is unknown or outside the limits the server allows.',
  ERR_CWD_NOT_FOUND: 'The requested working directory does not exist.',
  ERR_CWD_OUTSIDE_ROOTS: 'The requested working directory resolves outside every configured workspace root.',
  ERR_INVALID_LAST_EVENT_ID: 'Last-Event-ID is not a non-negative integer.',
  ERR_PROMPT_TOO_LONG:
    'The prompt goes to the program as one argument, and the kernel limits an argument to 128 KiB; use a backend that reads stdin.',
  ERR_CAPACITY: 'Every run slot is busy and the queue is full; retry after Retry-After seconds.',
  ERR_QUEUE_TIMEOUT: 'The run waited in the queue longer than limits.queue_wait_ms.',
  ERR_SHUTTING_DOWN: 'The server is draining for shutdown and takes no new runs.',
  ERR_RUN_CANCELLED: 'Run event: the run was cancelled (DELETE /v1/runs/:id).',
  ERR_RUN_DISCONNECTED:
    'Run event: the streaming client went away and did not come back within detach_grace_s.',
  ERR_RUN_TIMEOUT: 'Run event: the run passed its wall-clock timeout_s.',
  ERR_RUN_IDLE_TIMEOUT: 'Run event: the program wrote nothing for idle_timeout_s.',
  ERR_RUN_OUTPUT_LIMIT: 'Run event: the program wrote more than max_output_bytes.',
  ERR_RUN_SHUTDOWN: 'Run event: the server shut down before the run finished.',
  ERR_AGENT_FAILED:
    'Run event: the agent CLI reported a failure (in its output or its exit code); `retryable` says whether to retry.',
  ERR_RUN_CRASHED: 'Run event: the run was ended because the server crashed (reported after recovery).',
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
