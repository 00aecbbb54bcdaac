import type { FastifyReply } from 'fastify';
import type { ErrorCode } from '../../errors.ts';
import { problem, problemFromError } from '../problem.ts';

/** OpenAI's error object: `{ error: { message, type, param, code } }`. */
export interface OpenAIError {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: null;
    readonly code: string;
  };
}

/** HTTP status for run-event codes (they have none as request errors): agent failures are upstream failures. */
const EVENT_STATUS: Record<string, number> = {
  ERR_AGENT_FAILED: 502,
  ERR_RUN_TIMEOUT: 504,
  ERR_RUN_IDLE_TIMEOUT: 504,
  ERR_RUN_SHUTDOWN: 503,
  ERR_RUN_CANCELLED: 499,
  ERR_RUN_DISCONNECTED: 499,
  ERR_RUN_OUTPUT_LIMIT: 502,
};

function typeFor(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function openAIError(code: string, message: string, status: number): OpenAIError {
  return { error: { message, type: typeFor(status), param: null, code } };
}

/** Status of a request error (the same as /v1/runs gives it) or of a run's `error` event. */
export function statusFor(code: string, retryable = false): number {
  if (code === 'ERR_AGENT_FAILED' && retryable) return 503;
  return EVENT_STATUS[code] ?? problem(code as ErrorCode, '').status;
}

/** Sends anything thrown by a route as an OpenAI error with the status /v1/runs would use. */
export function sendOpenAIError(reply: FastifyReply, error: unknown): FastifyReply {
  const { code, detail } = problemFromError(error);
  const status = statusFor(code);
  if (status === 429 || status === 503) reply.header('retry-after', '1');
  return reply.code(status).send(openAIError(code, detail, status));
}

/** The OpenAI-compatible routes answer with OpenAI error objects, even for auth. */
export function isOpenAIRoute(url: string): boolean {
  const path = url.split('?')[0];
  return path === '/v1/models' || path === '/v1/chat/completions';
}
