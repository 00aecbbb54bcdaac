import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_LIMITS, DEFAULT_SERVER } from '../../src/config/schema.ts';
import { ERROR_CODES, isTetherError } from '../../src/errors.ts';
import { startServer } from '../../src/server/server.ts';
import { identitiesOf, survivorsAfter } from '../helpers/processes.ts';
import { fixtureBackends, startTestServer } from '../helpers/server.ts';
import { requestJson, SseStream } from '../helpers/sse-client.ts';

test('GET /v1/backends lists each backend and whether its program is found', async (t) => {
  const server = await startTestServer(t, {
    backends: {
      ...fixtureBackends(),
      missing: { type: 'command', argv: ['/nope/missing'], input: 'none', output: 'text', env: [] },
    },
  });
  const { body } = await requestJson(`${server.url}/v1/backends`);
  const list = body.backends as { name: string; available: boolean }[];
  assert.equal(list.find((b) => b.name === 'streamer')?.available, true);
  assert.equal(list.find((b) => b.name === 'missing')?.available, false);
});

test('a detached run (202) keeps going and replays from Last-Event-ID without duplicates', async (t) => {
  const server = await startTestServer(t);
  const created = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'echo-arg', prompt: 'detached' }),
  });
  assert.equal(created.status, 202);
  const runId = created.body.runId as string;
  const all = await SseStream.open(`${server.url}/v1/runs/${runId}/events`);
  await all.waitForType('exit');
  assert.equal(all.events.at(-1)?.data.reason, 'completed');
  assert.equal(all.events.at(-1)?.data.code, 0);
  const tail = await SseStream.open(`${server.url}/v1/runs/${runId}/events`, {
    headers: { 'last-event-id': '2' },
  });
  await tail.waitForType('exit');
  assert.deepEqual(
    tail.events.map((e) => e.id),
    all.events.filter((e) => e.id > 2).map((e) => e.id),
  );
  assert.equal(all.stdout().split('\n').filter(Boolean).length, 20);
});

test('a reader the buffer rolled past is told of the gap', async (t) => {
  const server = await startTestServer(t, { limits: { eventBuffer: 16 } });
  const created = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'count-jsonl', prompt: '' }),
  });
  const runId = created.body.runId as string;
  const deadline = Date.now() + 5000;
  while (
    (await requestJson(`${server.url}/v1/runs/${runId}`)).body.status !== 'ended' &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const replay = await SseStream.open(`${server.url}/v1/runs/${runId}/events`);
  await replay.waitForType('exit');
  const [gap, next] = replay.events;
  assert.equal(gap?.type, 'gap');
  assert.ok((gap?.data.missed as number) > 0);
  assert.equal(next?.id, (gap?.id as number) + 1);
  assert.equal(replay.events.length, 17, 'the gap then the 16 kept events');
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
  await Promise.all(streams.map((s) => s.waitForType('exit', 15_000)));
  streams.forEach((stream, i) => {
    const expected = Array.from({ length: 20 }, (_, n) => `client-${i} ${n + 1}`).join('\n');
    assert.equal(stream.stdout().trimEnd(), expected);
  });
  assert.equal(server.registry.size, 0);
});

test('at capacity with a full queue: 429 with Retry-After and ERR_CAPACITY', async (t) => {
  const server = await startTestServer(t, { limits: { maxRuns: 1, queueSize: 0 } });
  const first = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'hang-after-final-line', prompt: '' },
  });
  t.after(() => first.close());
  const start = await first.waitForType('start');
  const second = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'streamer', prompt: '' }),
  });
  assert.equal(second.status, 429);
  assert.equal(second.body.code, 'ERR_CAPACITY');
  assert.equal(second.headers.get('retry-after'), '1');
  assert.match(second.headers.get('content-type') ?? '', /application\/problem\+json/);
  first.close();
  assert.deepEqual(await survivorsAfter(identitiesOf([start.data.pid as number]), 2000), []);
});

test('a queued request gets its slot when one frees, or 429 ERR_QUEUE_TIMEOUT after the wait', async (t) => {
  const server = await startTestServer(t, { limits: { maxRuns: 1, queueSize: 4, queueWaitMs: 300 } });
  const first = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'hang-after-final-line', prompt: '' },
  });
  t.after(() => first.close());
  const start = await first.waitForType('start');
  const timedOut = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'echo-arg', prompt: 'late' }),
  });
  assert.equal(timedOut.status, 429);
  assert.equal(timedOut.body.code, 'ERR_QUEUE_TIMEOUT');
  const queued = SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'echo-arg', prompt: 'q' },
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  await requestJson(`${server.url}/v1/runs/${start.data.runId}`, { method: 'DELETE' });
  const stream = await queued;
  const exit = await stream.waitForType('exit');
  assert.equal(exit.data.reason, 'completed');
});

test('bad requests get a 4xx problem+json with a documented code, never a 5xx', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tether-root-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  symlinkSync('/tmp', join(root, 'escape'));
  const server = await startTestServer(t, { roots: [root], server: { bodyLimitBytes: 4096 } });
  const post = (body: string, headers?: Record<string, string>) =>
    requestJson(`${server.url}/v1/runs`, { method: 'POST', body, headers });
  const cases: [string, Promise<Awaited<ReturnType<typeof requestJson>>>, number, string][] = [
    ['invalid JSON', post('{"backend":'), 400, 'ERR_INVALID_JSON'],
    ['an array body', post('[]'), 400, 'ERR_BAD_REQUEST'],
    ['a wrong type', post('{"backend":1,"prompt":"x"}'), 400, 'ERR_BAD_REQUEST'],
    ['an argv field', post('{"backend":"streamer","prompt":"x","argv":["/bin/sh"]}'), 400, 'ERR_BAD_REQUEST'],
    [
      'an env option',
      post('{"backend":"streamer","prompt":"x","options":{"env":{"A":"1"}}}'),
      400,
      'ERR_OPTION_NOT_ALLOWED',
    ],
    [
      'a huge timeout',
      post('{"backend":"streamer","prompt":"x","options":{"timeout_s":1e9}}'),
      400,
      'ERR_OPTION_NOT_ALLOWED',
    ],
    ['an unknown backend', post('{"backend":"nope","prompt":"x"}'), 404, 'ERR_BACKEND_NOT_FOUND'],
    [
      'a cwd traversal',
      post('{"backend":"streamer","prompt":"x","cwd":"../../etc"}'),
      403,
      'ERR_CWD_OUTSIDE_ROOTS',
    ],
    [
      'a symlink escape',
      post('{"backend":"streamer","prompt":"x","cwd":"escape"}'),
      403,
      'ERR_CWD_OUTSIDE_ROOTS',
    ],
    ['a missing cwd', post('{"backend":"streamer","prompt":"x","cwd":"nope"}'), 400, 'ERR_CWD_NOT_FOUND'],
    [
      'a huge body',
      post(JSON.stringify({ backend: 'streamer', prompt: 'x'.repeat(10_000) })),
      413,
      'ERR_BODY_TOO_LARGE',
    ],
    ['a text body', post('hello', { 'content-type': 'text/plain' }), 415, 'ERR_UNSUPPORTED_MEDIA_TYPE'],
    ['an unknown run', requestJson(`${server.url}/v1/runs/nope`), 404, 'ERR_RUN_NOT_FOUND'],
    ['an unknown route', requestJson(`${server.url}/v2/nothing`), 404, 'ERR_NOT_FOUND'],
    [
      'a bad Last-Event-ID',
      requestJson(`${server.url}/v1/runs/x/events`, { headers: { 'last-event-id': '-1' } }),
      400,
      'ERR_INVALID_LAST_EVENT_ID',
    ],
  ];
  for (const [what, pending, status, code] of cases) {
    const response = await pending;
    assert.equal(response.status, status, `${what}: ${JSON.stringify(response.body)}`);
    assert.equal(response.body.code, code, what);
    assert.ok(code in ERROR_CODES, `${code} is documented`);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/, what);
  }
  assert.equal(server.registry.size, 0, 'no bad request started anything');
});

test('bearer tokens: required when configured, and required to bind beyond loopback', async (t) => {
  const server = await startTestServer(t, { server: { tokens: ['s3cret'] } });
  const denied = await requestJson(`${server.url}/v1/backends`);
  assert.equal(denied.status, 401);
  assert.equal(denied.body.code, 'ERR_UNAUTHORIZED');
  const wrong = await requestJson(`${server.url}/v1/backends`, { headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 401);
  const allowed = await requestJson(`${server.url}/v1/backends`, {
    headers: { authorization: 'Bearer s3cret' },
  });
  assert.equal(allowed.status, 200);
  await assert.rejects(
    startServer({
      server: { ...DEFAULT_SERVER, host: '0.0.0.0', port: 0 },
      limits: DEFAULT_LIMITS,
      workspaces: { roots: [process.cwd()] },
      backends: {},
    }),
    (error: unknown) => isTetherError(error, 'ERR_CONFIG'),
  );
});

test('shutdown drains, then ends what is left with reason shutdown; new runs get 503', async (t) => {
  const server = await startTestServer(t);
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'cooperative-tree', prompt: '' },
  });
  const start = (await stream.waitForType('start')).data;
  await stream.waitFor(() => stream.stdout().includes('ready'));
  const pids = [...stream.stdout().matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]));
  const tree = identitiesOf([start.pid as number, ...pids]);
  const closing = server.close();
  const refused = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'streamer', prompt: '' }),
  }).catch(() => ({ status: 503, body: { code: 'ERR_SHUTTING_DOWN' } }));
  assert.equal(refused.status, 503);
  const exit = await stream.waitForType('exit');
  assert.equal(exit.data.reason, 'shutdown');
  await closing;
  assert.deepEqual(await survivorsAfter(tree, 0), []);
});
