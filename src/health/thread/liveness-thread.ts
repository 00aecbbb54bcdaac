// The health port's worker thread: answers /healthz and /readyz from its own event loop, reading the
// main loop's heartbeat from shared memory, so a wedged main loop gets a 503 with the stall, not a
// timeout. It knows only builtins and what the main thread posts to it.
import { createServer, type ServerResponse } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { ERROR_CODES } from '../../errors.ts';
import { HeartbeatReader } from '../heartbeat.ts';
import type { HealthBody, ReadyBody } from '../snapshot.ts';

export interface LivenessThreadData {
  readonly buffer: SharedArrayBuffer;
  readonly host: string;
  readonly port: number;
  readonly stallThresholdMs: number;
}

/** Messages the main thread posts: the latest snapshots. */
export interface SnapshotMessage {
  readonly health: HealthBody;
  readonly ready: ReadyBody;
  readonly at: number;
}

/** Messages this thread posts back. */
export type ThreadMessage = { readonly listening: number } | { readonly error: string };

const data = workerData as LivenessThreadData;
const heartbeat = new HeartbeatReader(data.buffer);
let latest: SnapshotMessage | undefined;

parentPort?.on('message', (message: SnapshotMessage | 'close') => {
  if (message === 'close') server.close(() => parentPort?.close());
  else latest = message;
});

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function health(): { status: number; body: unknown } {
  const lag = Math.round(heartbeat.ageMs());
  const stalled = lag > data.stallThresholdMs;
  const base = latest?.health;
  const reasons = [...(base?.reasons.filter((r) => !r.startsWith('event loop stalled')) ?? [])];
  if (stalled) reasons.unshift(`event loop stalled for ${lag} ms`);
  if (!base) reasons.push('no snapshot from the main thread yet');
  const body = {
    ...base,
    status: reasons.length === 0 ? 'ok' : 'unhealthy',
    reasons,
    event_loop: stalled ? 'stalled' : 'ok',
    event_loop_lag_ms: lag,
    served_by: 'health-thread',
    snapshot_age_ms: latest ? Math.round(Date.now() - latest.at) : null,
  };
  return { status: reasons.length === 0 ? 200 : 503, body };
}

function ready(): { status: number; body: ReadyBody } {
  const reasons = [...(latest?.ready.reasons.filter((r) => r !== 'event_loop_stalled') ?? ['starting'])];
  if (heartbeat.ageMs() > data.stallThresholdMs) reasons.push('event_loop_stalled');
  return {
    status: reasons.length === 0 ? 200 : 503,
    body: { status: reasons.length === 0 ? 'ready' : 'not_ready', reasons },
  };
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/healthz') {
    const { status, body } = health();
    send(res, status, body);
  } else if (req.method === 'GET' && path === '/readyz') {
    const { status, body } = ready();
    send(res, status, body);
  } else {
    const detail = `no route ${req.method} ${path} on the health port (GET /healthz, GET /readyz)`;
    const body = {
      type: 'about:blank',
      title: ERROR_CODES.ERR_NOT_FOUND,
      status: 404,
      code: 'ERR_NOT_FOUND',
      detail,
    };
    send(res, 404, body, 'application/problem+json');
  }
});
server.keepAliveTimeout = 5000;
server.on('error', (error) => parentPort?.postMessage({ error: error.message } satisfies ThreadMessage));
server.listen(data.port, data.host, () => {
  const address = server.address();
  parentPort?.postMessage({
    listening: typeof address === 'object' && address ? address.port : 0,
  } satisfies ThreadMessage);
});
