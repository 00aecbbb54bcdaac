import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../helpers/fixtures.ts';
import { identitiesOf, survivorsAfter, zombiesAfter } from '../helpers/processes.ts';
import { fixtureBackends, startTestServer } from '../helpers/server.ts';
import { requestJson, SseStream } from '../helpers/sse-client.ts';

const command = (argv: string[], extra: object = {}) => ({
  type: 'command' as const,
  argv,
  input: 'none' as const,
  output: 'text' as const,
  env: [],
  ...extra,
});

/** Polls GET /v1/runs/:id (bounded) until the run ended. */
async function endedView(url: string, id: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await requestJson(`${url}/v1/runs/${id}`);
    if (body.status === 'ended') return body;
    if (Date.now() > deadline) throw new Error(`run ${id} still running: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('GET /v1/backends lists each backend and whether its program is found', async (t) => {
  const server = await startTestServer(t, {
    backends: { streamer: command(fixture('streamer')), gone: command(['/nonexistent/agent']) },
  });
  const { status, body } = await requestJson(`${server.url}/v1/backends`);
  assert.equal(status, 200);
  assert.deepEqual(body.backends, [
    { name: 'streamer', type: 'command', available: true },
    { name: 'gone', type: 'command', available: false },
  ]);
});

test('without Accept: text/event-stream a run is detached: 202, status, replay from Last-Event-ID', async (t) => {
  const server = await startTestServer(t, {
    backends: { 'streamer-exit': command(fixture('streamer', 'exit')) },
  });
  const created = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'streamer-exit', prompt: '' }),
  });
  assert.equal(created.status, 202);
  const runId = created.body.runId as string;
  assert.equal(created.headers.get('x-tether-run-id'), runId);
  const view = await endedView(server.url, runId);
  assert.deepEqual(view.exit, { code: 0, signal: null, reason: 'completed' });

  const all = await SseStream.open(`${server.url}/v1/runs/${runId}/events`);
  await all.waitForType('exit');
  const types = all.events.map((e) => e.type);
  assert.equal(types[0], 'start');
  assert.equal(types.at(-1), 'exit');
  assert.ok(types.slice(1, -1).every((type) => type === 'stdout'));
  assert.equal(all.stdout(), 'line 1\nline 2\nline 3\nline 4\nline 5\nready\n');
  const lastId = view.lastEventId as number;
  const tail = await SseStream.open(`${server.url}/v1/runs/${runId}/events`, {
    headers: { 'last-event-id': '2' },
  });
  await tail.waitForType('exit');
  assert.deepEqual(
    tail.events.map((e) => e.id),
    Array.from({ length: lastId - 2 }, (_, i) => i + 3),
    'no duplicates, no gaps',
  );
  const none = await SseStream.open(`${server.url}/v1/runs/${runId}/events`, {
    headers: { 'last-event-id': String(lastId) },
  });
  const deadline = Date.now() + 5000;
  while (!none.ended && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(none.ended, 'the stream ended');
  assert.deepEqual(none.events, [], 'a resume past exit ends at once');
});

test('a resume older than the buffer gets an explicit gap event first', async (t) => {
  const server = await startTestServer(t, {
    limits: { eventBuffer: 4 },
    backends: { 'streamer-exit': command(fixture('streamer', 'exit')) },
  });
  const created = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'streamer-exit', prompt: '' }),
  });
  const runId = created.body.runId as string;
  const view = await endedView(server.url, runId);
  const lastId = view.lastEventId as number;
  const replay = await SseStream.open(`${server.url}/v1/runs/${runId}/events`, {
    headers: { 'last-event-id': '1' },
  });
  await replay.waitForType('exit');
  const [gap, ...kept] = replay.events;
  assert.equal(gap?.type, 'gap');
  assert.equal(gap?.data.missed, lastId - 4 - 1);
  assert.deepEqual(
    kept.map((e) => e.id),
    [lastId - 3, lastId - 2, lastId - 1, lastId],
  );
});

test('50 parallel streams each receive only their own output, in order', async (t) => {
  const server = await startTestServer(t, { limits: { maxRuns: 64, maxRunsPerClient: 64 } });
  const streams = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      SseStream.open(`${server.url}/v1/runs`, {
        method: 'POST',
        body: { backend: 'echo-arg', prompt: `client-${i}` },
      }),
    ),
  );
  for (const stream of streams) t.after(() => stream.close());
  await Promise.all(streams.map((stream) => stream.waitForType('exit', 15_000)));
  streams.forEach((stream, i) => {
    const expected = Array.from({ length: 20 }, (_, n) => `client-${i} ${n + 1}\n`).join('');
    assert.equal(stream.stdout(), expected);
    assert.equal(stream.events[0]?.type, 'start');
    assert.equal(stream.events.at(-1)?.data.reason, 'completed');
  });
  assert.equal(new Set(streams.map((s) => s.events[0]?.data.pid)).size, 50, 'one child per run');
  assert.equal(server.registry.size, 0);
  assert.deepEqual(await zombiesAfter(), []);
});

test('at capacity: 429 with Retry-After; a queued request gets the slot a cancel frees', async (t) => {
  const server = await startTestServer(t, { limits: { maxRuns: 1, queueSize: 1, queueWaitMs: 5000 } });
  const first = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'streamer', prompt: '' },
  });
  t.after(() => first.close());
  const start = (await first.waitForType('start')).data;
  const queued = SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'streamer', prompt: '' },
  });
  const deadline = Date.now() + 5000;
  while (server.manager.admission.queued < 1 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  const refused = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'streamer', prompt: '' }),
  });
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.equal(refused.body.code, 'ERR_CAPACITY');

  await requestJson(`${server.url}/v1/runs/${start.runId}`, { method: 'DELETE' });
  const second = await queued;
  t.after(() => second.close());
  const secondStart = (await second.waitForType('start')).data;
  await second.waitFor(() => second.stdout().includes('ready'));
  const tree = identitiesOf([secondStart.pid as number]);
  second.abort();
  assert.equal((await endedView(server.url, secondStart.runId as string)).status, 'ended');
  assert.deepEqual(await survivorsAfter(tree, 1000), []);
});

test('a queued request times out with 429 ERR_QUEUE_TIMEOUT; one that leaves the queue never spawns', async (t) => {
  const server = await startTestServer(t, { limits: { maxRuns: 1, queueSize: 4, queueWaitMs: 200 } });
  const first = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'streamer', prompt: '' },
  });
  t.after(() => first.close());
  await first.waitForType('start');
  const late = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'streamer', prompt: '' }),
  });
  assert.equal(late.status, 429);
  assert.equal(late.body.code, 'ERR_QUEUE_TIMEOUT');

  const leaver = new AbortController();
  const left = fetch(`${server.url}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ backend: 'streamer', prompt: '' }),
    signal: leaver.signal,
  }).catch((error: unknown) => error);
  await until(() => server.manager.admission.queued === 1);
  leaver.abort();
  await left;
  await until(() => server.manager.admission.queued === 0);
  first.close();
  await until(() => server.manager.admission.running === 0);
  assert.equal(server.registry.size, 0, 'the request that left never got a child');
});

/** Polls a condition with a bounded deadline. */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('per-client limit counts each bearer token apart', async (t) => {
  const server = await startTestServer(t, {
    server: { tokens: ['token-a', 'token-b'] },
    limits: { maxRuns: 4, maxRunsPerClient: 1, queueSize: 0 },
  });
  const open = (token: string) =>
    SseStream.open(`${server.url}/v1/runs`, {
      method: 'POST',
      body: { backend: 'streamer', prompt: '' },
      headers: { authorization: `Bearer ${token}` },
    });
  const a = await open('token-a');
  t.after(() => a.close());
  await a.waitForType('start');
  const again = await open('token-a');
  assert.equal(again.status, 429);
  const b = await open('token-b');
  t.after(() => b.close());
  assert.equal(b.status, 200);
  await b.waitForType('start');
  const noToken = await requestJson(`${server.url}/v1/backends`);
  assert.equal(noToken.status, 401);
  assert.equal(noToken.headers.get('www-authenticate'), 'Bearer');
  assert.equal(noToken.body.code, 'ERR_UNAUTHORIZED');
  const wrong = await requestJson(`${server.url}/v1/backends`, { headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 401);
});

test('the child sees only the base environment and its backend allowlist, never the client', async (t) => {
  process.env.TETHER_TEST_ALLOWED = 'allowed-value';
  process.env.TETHER_TEST_HIDDEN = 'hidden-value';
  t.after(() => {
    delete process.env.TETHER_TEST_ALLOWED;
    delete process.env.TETHER_TEST_HIDDEN;
  });
  const server = await startTestServer(t, {
    backends: {
      env: command(['/bin/sh', '-c', 'echo "[$TETHER_TEST_ALLOWED][$TETHER_TEST_HIDDEN][$1]"', 'sh'], {
        env: ['TETHER_TEST_ALLOWED'],
        input: 'arg',
      }),
    },
  });
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'env', prompt: '$(id) `id` ; echo pwned' },
  });
  await stream.waitForType('exit');
  assert.equal(stream.stdout(), '[allowed-value][][$(id) `id` ; echo pwned]\n');
});

test('the embedded demo backend streams normalized events with no agent CLI installed', async (t) => {
  const { loadConfig } = await import('../../src/config/load.ts');
  const { config } = await loadConfig({ env: {} });
  const server = await startTestServer(t, { backends: config.backends });
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'demo', prompt: 'hello "tether"' },
  });
  await stream.waitForType('exit');
  const types = new Set(stream.events.map((e) => e.type));
  for (const type of ['start', 'text', 'tool_call', 'tool_result', 'usage', 'result', 'exit'])
    assert.ok(types.has(type), `has ${type}`);
  assert.match(stream.events.find((e) => e.type === 'text')?.data.text as string, /hello tether/);
  assert.equal(stream.events.at(-1)?.data.reason, 'completed');
});

test('server shutdown ends live runs with reason shutdown and leaves no tree', async (t) => {
  const server = await startTestServer(t);
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'cooperative-tree', prompt: '' },
  });
  t.after(() => stream.close());
  const start = (await stream.waitForType('start')).data;
  await stream.waitFor(() => stream.stdout().includes('ready'));
  const pids = [...stream.stdout().matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]));
  const tree = identitiesOf([start.pid as number, ...pids]);
  await server.close();
  const exit = await stream.waitForType('exit');
  assert.equal(exit.data.reason, 'shutdown');
  assert.equal(stream.events.at(-2)?.data.code, 'ERR_RUN_SHUTDOWN');
  assert.deepEqual(await survivorsAfter(tree, 1000), []);
});

test('a slow live reader gets backpressure, not a gap: the program waits for the socket', async (t) => {
  const server = await startTestServer(t, { limits: { eventBuffer: 16, maxOutputBytes: 1e9 } });
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'flood-stdout', prompt: '' },
  });
  t.after(() => stream.close());
  const start = (await stream.waitForType('start')).data;
  const tree = identitiesOf([start.pid as number]);
  stream.socket?.pause();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const view = await requestJson(`${server.url}/v1/runs/${start.runId}`);
  assert.ok((view.body.lastEventId as number) < 200, `the program was held back: ${view.body.lastEventId}`);
  stream.socket?.resume();
  await stream.waitFor((event) => event.id >= 300, 10_000);
  await requestJson(`${server.url}/v1/runs/${start.runId}`, { method: 'DELETE' });
  await stream.waitForType('exit');
  assert.ok(!stream.events.some((event) => event.type === 'gap'), 'no gap');
  const ids = stream.events.map((event) => event.id);
  assert.deepEqual(
    ids,
    ids.map((_, i) => i + 1),
  );
  assert.deepEqual(await survivorsAfter(tree, 1000), []);
});
