import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identitiesOf, survivorsAfter } from '../helpers/processes.ts';
import { startTestServer } from '../helpers/server.ts';
import { requestJson, SseStream } from '../helpers/sse-client.ts';

test('a run belongs to the token that created it: another token can neither read, replay nor cancel it', async (t) => {
  const server = await startTestServer(t, { server: { tokens: ['token-of-alice', 'token-of-bob'] } });
  const alice = { authorization: 'Bearer token-of-alice' };
  const bob = { authorization: 'Bearer token-of-bob' };
  const created = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'cooperative-tree', prompt: '' }),
    headers: alice,
  });
  assert.equal(created.status, 202);
  const id = created.body.runId as string;
  const replay = await SseStream.open(`${server.url}/v1/runs/${id}/events`, { headers: alice });
  t.after(() => replay.close());
  const start = (await replay.waitForType('start')).data;
  await replay.waitFor(() => replay.stdout().includes('ready'));
  const grandchildren = [...replay.stdout().matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]));
  const tree = identitiesOf([start.pid as number, ...grandchildren]);

  for (const [method, path] of [
    ['GET', `/v1/runs/${id}`],
    ['GET', `/v1/runs/${id}/events`],
    ['DELETE', `/v1/runs/${id}`],
  ] as const) {
    const answer = await requestJson(`${server.url}${path}`, { method, headers: bob });
    assert.equal(answer.status, 404, `${method} ${path}`);
    assert.equal(answer.body.code, 'ERR_RUN_NOT_FOUND');
  }
  assert.equal((await requestJson(`${server.url}/v1/runs/${id}`, { headers: alice })).body.status, 'running');

  const cancelled = await requestJson(`${server.url}/v1/runs/${id}`, { method: 'DELETE', headers: alice });
  assert.equal(cancelled.status, 200);
  assert.equal((cancelled.body.exit as Record<string, unknown>).reason, 'cancelled');
  assert.deepEqual(await survivorsAfter(tree), []);
});
