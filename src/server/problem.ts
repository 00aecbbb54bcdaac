import type { FastifyReply } from 'fastify';
import { ERROR_CODES, type ErrorCode, TetherError } from '../errors.ts';

/** HTTP status for each code a request can fail with; anything unlisted is a 500. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_BAD_REQUEST: 400,
  ERR_INVALID_JSON: 400,
  ERR_INVALID_ARGUMENT: 400,
  ERR_OPTION_NOT_ALLOWED: 400,
  ERR_CWD_NOT_FOUND: 400,
  ERR_INVALID_LAST_EVENT_ID: 400,
  ERR_UNAUTHORIZED: 401,
  ERR_REQUEST_TIMEOUT: 408,
  ERR_HEADERS_TOO_LARGE: 431,
  ERR_CWD_OUTSIDE_ROOTS: 403,
  ERR_NOT_FOUND: 404,
  ERR_RUN_NOT_FOUND: 404,
  ERR_BACKEND_NOT_FOUND: 404,
  ERR_BODY_TOO_LARGE: 413,
  ERR_PROMPT_TOO_LONG: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_CAPACITY: 429,
  ERR_QUEUE_TIMEOUT: 429,
  ERR_SPAWN_NOT_FOUND: 503,
  ERR_SPAWN_PERMISSION: 503,
  ERR_SPAWN_BAD_CWD: 503,
  ERR_SPAWN_FAILED: 503,
  ERR_SHUTTING_DOWN: 503,
  ERR_CLOSED: 503,
};

/** Seconds a client should wait before retrying a 429 or a 503 from draining. */
const RETRY_AFTER_S = 1;

/** An RFC 9457 problem document carrying Tether's stable code. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
}

export function problem(code: ErrorCode, detail: string): Problem {
  const status = STATUS[code] ?? 500;
  return { type: 'about:blank', title: ERROR_CODES[code], status, code, detail };
}

export function sendProblem(reply: FastifyReply, code: ErrorCode, detail: string): FastifyReply {
  const body = problem(code, detail);
  if (body.status === 429 || body.status === 503) reply.header('retry-after', String(RETRY_AFTER_S));
  return reply.code(body.status).type('application/problem+json').send(body);
}

/** Maps anything thrown in a route (ours or Fastify's) to a problem; never leaks a stack. */
export function problemFromError(error: unknown): { code: ErrorCode; detail: string } {
  if (error instanceof TetherError) return { code: error.code, detail: error.message };
  const fastify = error as { code?: string; statusCode?: number; message?: string };
  switch (fastify.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'ERR_BODY_TOO_LARGE', detail: 'request body too large' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'ERR_UNSUPPORTED_MEDIA_TYPE', detail: 'send the body as application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'ERR_INVALID_JSON', detail: 'the JSON body is empty' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'ERR_INVALID_JSON', detail: 'the body is not valid JSON' };
  }
  if (error instanceof SyntaxError || (fastify.statusCode === 400 && /JSON/i.test(fastify.message ?? ''))) {
    return { code: 'ERR_INVALID_JSON', detail: 'the body is not valid JSON' };
  }
  if (fastify.statusCode && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return { code: 'ERR_BAD_REQUEST', detail: fastify.message ?? 'bad request' };
  }
  return { code: 'ERR_PLATFORM', detail: 'internal error' };
}
