import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../errors.ts';
import { problem } from './problem.ts';

/**
 * What Node's HTTP parser rejects before any route sees it — a header with CR/LF in it, a malformed
 * request line, headers too large, a request that took longer than `server.request_timeout_s` to
 * arrive — still gets a problem+json answer with a documented code, then the connection is closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const body = problem(...classify(error.code));
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}

function classify(code: string | undefined): [ErrorCode, string] {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return ['ERR_REQUEST_TIMEOUT', 'the request did not arrive in time (server.request_timeout_s)'];
  if (code === 'HPE_HEADER_OVERFLOW')
    return ['ERR_HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts'];
  return ['ERR_BAD_REQUEST', `the request is not valid HTTP/1.1 (${code ?? 'parse error'})`];
}
