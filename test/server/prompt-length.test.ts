import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import { requestJson, SseStream } from '../helpers/sse-client.ts';

test('a prompt passed as an argument: up to the kernel limit it runs, beyond it a 413 ERR_PROMPT_TOO_LONG (not a spawn failure)', async (t) => {
  const server = await startTestServer(t, { server: { bodyLimitBytes: 1024 * 1024 } });
  const fits = 'x'.repeat(128 * 1024 - 1);
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'echo-arg', prompt: fits },
  });
  assert.equal((await stream.waitForType('exit', 10_000)).data.reason, 'completed');
  assert.ok(stream.stdout().includes(`${fits} 20`));

  const over = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'echo-arg', prompt: 'x'.repeat(128 * 1024) }),
  });
  assert.equal(over.status, 413);
  assert.equal(over.body.code, 'ERR_PROMPT_TOO_LONG');
  assert.equal(((await requestJson(`${server.url}/healthz`)).body.children as { live: number }).live, 0);
});
