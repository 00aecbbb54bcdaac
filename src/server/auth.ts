import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Loopback addresses: the only ones Tether binds to without tokens. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Checks `Authorization: Bearer <token>` against the configured tokens in constant time. With no
 * tokens configured every request passes (the server then only listens on loopback).
 */
export class BearerAuth {
  readonly #digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.#digests = tokens.map(digest);
  }

  get required(): boolean {
    return this.#digests.length > 0;
  }

  /** The presented token if it is valid, undefined when missing or wrong. */
  check(request: FastifyRequest): string | undefined {
    const token = bearerToken(request);
    if (token === undefined) return undefined;
    const presented = digest(token);
    return this.#digests.some((known) => timingSafeEqual(known, presented)) ? token : undefined;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Who a request counts against for per-client limits: its token (hashed, never kept in clear) when
 * it has one, else its remote address.
 */
export function clientKey(request: FastifyRequest): string {
  const token = bearerToken(request);
  return token ? `token:${digest(token).toString('hex').slice(0, 16)}` : `addr:${request.ip}`;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
