import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TetherConfig } from '../../config/schema.ts';
import { TetherError } from '../../errors.ts';
import type { RunManager } from '../../runs/manager.ts';
import { parseRunOptions } from '../../runs/run-options.ts';
import { clientKey } from '../auth.ts';
import { sendProblem } from '../problem.ts';
import { streamRun } from '../sse.ts';

const FIELDS = new Set(['backend', 'prompt', 'cwd', 'options']);

interface RunBody {
  backend: string;
  prompt: string;
  cwd?: string;
  options?: unknown;
}

/** Checks the body's shape: the client names a backend and a prompt, never a program, argv or environment. */
function parseBody(body: unknown): RunBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TetherError('ERR_BAD_REQUEST', 'the body must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key)) throw new TetherError('ERR_BAD_REQUEST', `unknown field ${JSON.stringify(key)}`);
  }
  if (typeof input.backend !== 'string' || input.backend.length === 0 || input.backend.length > 64) {
    throw new TetherError('ERR_BAD_REQUEST', 'backend must be a non-empty string');
  }
  if (typeof input.prompt !== 'string') throw new TetherError('ERR_BAD_REQUEST', 'prompt must be a string');
  if (input.prompt.includes('\0'))
    throw new TetherError('ERR_BAD_REQUEST', 'prompt must not contain NUL bytes');
  if (
    input.cwd !== undefined &&
    (typeof input.cwd !== 'string' || input.cwd.length === 0 || input.cwd.includes('\0'))
  ) {
    throw new TetherError('ERR_BAD_REQUEST', 'cwd must be a non-empty string');
  }
  return input as unknown as RunBody;
}

function wantsStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/event-stream');
}

/** Last-Event-ID (header or ?last_event_id=): a non-negative integer, else ERR_INVALID_LAST_EVENT_ID. */
function lastEventId(request: FastifyRequest): number {
  const query = (request.query as Record<string, unknown> | undefined)?.last_event_id;
  const raw = request.headers['last-event-id'] ?? query;
  if (raw === undefined) return 0;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) {
    throw new TetherError('ERR_INVALID_LAST_EVENT_ID', 'Last-Event-ID must be a non-negative integer');
  }
  return Number(raw);
}

/**
 * The run named in the path, as this client may see it: a run created with a bearer token belongs to
 * that token, and to any other client it does not exist (404, so an id reveals nothing).
 */
function runFor(manager: RunManager, request: FastifyRequest): ReturnType<RunManager['get']> {
  const run = manager.get((request.params as { id: string }).id);
  if (run?.client.startsWith('token:') && run.client !== clientKey(request)) return undefined;
  return run;
}

export function runRoutes(app: FastifyInstance, manager: RunManager, limits: TetherConfig['limits']): void {
  app.post('/v1/runs', async (request, reply) => {
    const body = parseBody(request.body);
    const options = parseRunOptions(body.options, limits);
    const streamed = wantsStream(request);
    const gone = new AbortController();
    const onClose = (): void => gone.abort();
    request.raw.socket.once('close', onClose);
    let run: Awaited<ReturnType<RunManager['create']>>;
    try {
      run = await manager.create({
        backend: body.backend,
        prompt: body.prompt,
        cwd: body.cwd,
        options,
        client: clientKey(request),
        streamed,
        signal: gone.signal,
      });
    } finally {
      request.raw.socket.off('close', onClose);
    }
    if (!streamed) return reply.code(202).header('x-tether-run-id', run.id).send({ runId: run.id });
    reply.hijack();
    streamRun(run, reply.raw, 0);
    return reply;
  });

  app.get('/v1/runs/:id', async (request, reply) => {
    const run = runFor(manager, request);
    if (!run) return sendProblem(reply, 'ERR_RUN_NOT_FOUND', 'no such run');
    return run.view();
  });

  app.get('/v1/runs/:id/events', async (request, reply: FastifyReply) => {
    const after = lastEventId(request);
    const run = runFor(manager, request);
    if (!run) return sendProblem(reply, 'ERR_RUN_NOT_FOUND', 'no such run');
    reply.hijack();
    streamRun(run, reply.raw, after);
    return reply;
  });

  app.delete('/v1/runs/:id', async (request, reply) => {
    const run = runFor(manager, request);
    if (!run) return sendProblem(reply, 'ERR_RUN_NOT_FOUND', 'no such run');
    return run.end('cancelled');
  });
}
