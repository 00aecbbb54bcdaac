import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { ProcessIdentity } from '../../src/process/index.ts';
import { identitiesOf, survivorsAfter } from '../helpers/processes.ts';
import { startTestServer } from '../helpers/server.ts';
import { requestJson, SseStream } from '../helpers/sse-client.ts';

/** Waits (bounded) until GET /v1/runs/:id says the run ended; returns its view. */
async function endedView(url: string, id: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await requestJson(`${url}/v1/runs/${id}`);
    if (body.status === 'ended' || Date.now() > deadline) return body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The run's root and every grandchild the fixture announced, read while they run. */
function treeOf(stream: SseStream, start: Record<string, unknown>): ProcessIdentity[] {
  const pids = [...stream.stdout().matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]));
  return identitiesOf([start.pid as number, ...pids]);
}

type Ending =
  | 'abrupt disconnect'
  | 'clean disconnect'
  | 'cancel'
  | 'timeout'
  | 'idle timeout'
  | 'output limit';

const CASES: [Ending, string, Record<string, unknown>, string][] = [
  ['abrupt disconnect', 'spawn-setsid-grandchild', {}, 'disconnected'],
  ['abrupt disconnect', 'spawn-grandchildren', {}, 'disconnected'],
  ['abrupt disconnect', 'ignore-sigterm', {}, 'disconnected'],
  ['clean disconnect', 'cooperative-tree', {}, 'disconnected'],
  ['clean disconnect', 'grandchild-holds-stdout', {}, 'disconnected'],
  ['cancel', 'cooperative-tree', {}, 'cancelled'],
  ['cancel', 'close-stdout-and-linger', {}, 'cancelled'],
  ['timeout', 'cooperative-tree', { timeout_s: 0.5 }, 'timeout'],
  ['idle timeout', 'hang-after-final-line', { idle_timeout_s: 0.3 }, 'idle_timeout'],
  ['idle timeout', 'spawn-setsid-grandchild', { idle_timeout_s: 0.3 }, 'idle_timeout'],
  ['output limit', 'flood-stdout', { max_output_bytes: 200_000 }, 'output_limit'],
];

async function runCase(t: TestContext, ending: Ending, backend: string, options: object, reason: string) {
  const server = await startTestServer(t);
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend, prompt: '', options },
  });
  t.after(() => stream.close());
  assert.equal(stream.status, 200);
  const start = (await stream.waitForType('start')).data;
  assert.equal(stream.headers['x-tether-run-id'], start.runId);
  await stream.waitFor(() => /ready|flood/.test(stream.stdout()));
  const tree = treeOf(stream, start);

  if (ending === 'abrupt disconnect') stream.abort();
  else if (ending === 'clean disconnect') stream.close();
  else if (ending === 'cancel') {
    const { status, body } = await requestJson(`${server.url}/v1/runs/${start.runId}`, { method: 'DELETE' });
    assert.equal(status, 200);
    assert.equal((body.exit as Record<string, unknown>).reason, 'cancelled');
  }
  if (!ending.includes('disconnect')) {
    const error = await stream.waitForType('error');
    const exit = await stream.waitForType('exit');
    assert.equal(exit.data.reason, reason);
    assert.match(error.data.code as string, /^ERR_RUN_/);
    assert.equal(stream.events.at(-1)?.type, 'exit', 'exit is the last event');
  }
  const view = await endedView(server.url, start.runId as string);
  assert.equal(view.status, 'ended');
  assert.equal((view.exit as Record<string, unknown>).reason, reason);
  assert.deepEqual(await survivorsAfter(tree, 1000), [], 'the whole tree is gone');
  assert.equal(server.registry.size, 0);
}

describe('every ending through HTTP ends the whole tree with the right reason', () => {
  for (const [ending, backend, options, reason] of CASES) {
    test(`${backend} × ${ending} → ${reason}`, (t) => runCase(t, ending, backend, options, reason));
  }
});

test('a completed run streams start … exit and leaves nothing', async (t) => {
  const server = await startTestServer(t);
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'streamer', prompt: '' },
  });
  const start = await stream.waitForType('start');
  const tree = identitiesOf([start.data.pid as number]);
  // streamer waits after 'ready' unless told to exit: cancel it to finish, then check ids.
  await stream.waitFor(() => stream.stdout().includes('ready'));
  await requestJson(`${server.url}/v1/runs/${start.data.runId}`, { method: 'DELETE' });
  await stream.waitForType('exit');
  const ids = stream.events.map((e) => e.id);
  assert.deepEqual(
    ids,
    ids.map((_, i) => i + 1),
    'ids count up from 1 without gaps',
  );
  assert.equal(stream.events[0]?.type, 'start');
  assert.match(stream.stdout(), /line 1\nline 2\nline 3\nline 4\nline 5\n/);
  assert.deepEqual(await survivorsAfter(tree, 1000), []);
});

test('detach_grace_s keeps a run for a client that comes back, and ends it for one that does not', async (t) => {
  const server = await startTestServer(t);
  const first = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'cooperative-tree', prompt: '', options: { detach_grace_s: 10 } },
  });
  const start = (await first.waitForType('start')).data;
  await first.waitFor(() => first.stdout().includes('ready'));
  const tree = treeOf(first, start);
  const seen = first.events.at(-1)?.id as number;
  first.abort();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal((await requestJson(`${server.url}/v1/runs/${start.runId}`)).body.status, 'running', 'kept');
  const again = await SseStream.open(`${server.url}/v1/runs/${start.runId}/events`, {
    headers: { 'last-event-id': String(seen) },
  });
  t.after(() => again.close());
  await requestJson(`${server.url}/v1/runs/${start.runId}`, { method: 'DELETE' });
  await again.waitForType('exit');
  assert.equal(again.events[0]?.id, seen + 1, 'resumes right after the last event seen');
  assert.ok(
    again.events.every((e) => e.id > seen),
    'no duplicates',
  );
  assert.deepEqual(await survivorsAfter(tree, 1000), []);

  const lost = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'cooperative-tree', prompt: '', options: { detach_grace_s: 0.3 } },
  });
  const lostStart = (await lost.waitForType('start')).data;
  await lost.waitFor(() => lost.stdout().includes('ready'));
  const lostTree = treeOf(lost, lostStart);
  lost.abort();
  const view = await endedView(server.url, lostStart.runId as string);
  assert.equal((view.exit as Record<string, unknown>).reason, 'disconnected');
  assert.deepEqual(await survivorsAfter(lostTree, 1000), []);
});
