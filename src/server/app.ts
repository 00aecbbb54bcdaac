import { createServer } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Backend } from '../backends/types.ts';
import type { TetherConfig } from '../config/schema.ts';
import { TetherError } from '../errors.ts';
import type { Metrics } from '../health/metrics.ts';
import type { HealthMonitor } from '../health/monitor.ts';
import type { ProcessRegistry } from '../process/index.ts';
import type { RunManager } from '../runs/manager.ts';
import type { BearerAuth } from './auth.ts';
import { answerClientError } from './client-errors.ts';
import { lingerBeforeClose } from './linger.ts';
import { isOpenAIRoute, sendOpenAIError } from './openai/errors.ts';
import { openaiRoutes } from './openai/routes.ts';
import { problemFromError, sendProblem } from './problem.ts';
import { backendRoutes } from './routes/backends.ts';
import { healthRoutes } from './routes/health.ts';
import { processRoutes } from './routes/processes.ts';
import { runRoutes } from './routes/runs.ts';
import { testHookRoutes } from './routes/test-hooks.ts';

export interface AppParts {
  readonly config: TetherConfig;
  readonly manager: RunManager;
  readonly backends: ReadonlyMap<string, Backend>;
  readonly auth: BearerAuth;
  readonly registry: ProcessRegistry;
  readonly health: HealthMonitor;
  readonly metrics: Metrics;
  /** Registers the test-only routes (POST /debug/wedge). */
  readonly testHooks?: boolean;
}

/** The HTTP surface: thin routes over the run manager. It never starts a process itself. */
export function buildApp(parts: AppParts): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: parts.config.server.bodyLimitBytes,
    return503OnClosing: true,
    // Slow-drip requests (slowloris) hold a connection only server.request_timeout_s; the answer is a
    // 408 problem. Node checks that on an interval fixed when the server is made, hence the factory.
    serverFactory: (handler) => {
      const requestTimeout = Math.round((parts.config.server.requestTimeoutS ?? 30) * 1000);
      return createServer(
        {
          requestTimeout,
          headersTimeout: requestTimeout,
          connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.round(requestTimeout / 2))),
          keepAliveTimeout: 72_000,
        },
        handler,
      );
    },
    clientErrorHandler: answerClientError,
    // What the router rejects before any route runs (a malformed URL, a path segment over 100
    // characters) is a documented problem too, not Fastify's own JSON.
    frameworkErrors: (error, _request, reply) => {
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
        return sendProblem(reply, 'ERR_NOT_FOUND', 'no route or run with a path segment that long');
      if (error.code === 'FST_ERR_BAD_URL')
        return sendProblem(reply, 'ERR_BAD_REQUEST', 'the URL is malformed');
      const { code, detail } = problemFromError(error);
      return sendProblem(reply, code, detail);
    },
  });
  // Bodies are JSON only: anything else is a 415, not a string the routes would have to reject.
  app.removeContentTypeParser('text/plain');
  // An empty JSON body (a DELETE sent with content-type: application/json) is no body, not an error.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text as string));
    } catch {
      done(new TetherError('ERR_INVALID_JSON', 'the body is not valid JSON'), undefined);
    }
  });
  app.addHook('onRequest', async (request, reply) => {
    // Counted when the socket side is done, so streamed (hijacked) responses count too.
    reply.raw.once('close', () =>
      parts.metrics.httpRequest(
        request.routeOptions.url ?? 'unmatched',
        request.method,
        reply.raw.statusCode,
      ),
    );
    const guarded = request.url.startsWith('/v1/') || request.url.startsWith('/debug/');
    if (parts.auth.required && guarded && !parts.auth.check(request)) {
      reply.header('www-authenticate', 'Bearer');
      const unauthorized = new TetherError('ERR_UNAUTHORIZED', 'send Authorization: Bearer <token>');
      if (isOpenAIRoute(request.url)) return sendOpenAIError(reply, unauthorized);
      return sendProblem(reply, 'ERR_UNAUTHORIZED', 'send Authorization: Bearer <token>');
    }
  });
  app.setErrorHandler((error, _request, reply) => {
    const { code, detail } = problemFromError(error);
    return sendProblem(reply, code, detail);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 'ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
  );
  // An answer sent before the request body was read (a 413, a refusal) must reach the client: the
  // connection reads out the rest of the body before it closes (see linger.ts).
  app.addHook('onSend', async (request) => {
    if (!request.raw.complete) lingerBeforeClose(request.raw.socket);
  });
  backendRoutes(app, parts.backends);
  runRoutes(app, parts.manager, parts.config.limits);
  openaiRoutes(app, parts);
  healthRoutes(app, parts.health, parts.metrics);
  processRoutes(app, parts.registry, parts.health);
  if (parts.testHooks) testHookRoutes(app);
  return app;
}
