import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestServer } from '../helpers/server.ts';
import { SseStream } from '../helpers/sse-client.ts';

test('ended runs keep output for replay within a global budget; past it the oldest keep only a gap and their exit', async (t) => {
  // echo-arg prints 20 lines of its prompt: with a long prompt each run holds ~20 kB of output.
  const server = await startTestServer(t, { limits: { endedEventBytes: 50_000 } });
  const prompt = 'p'.repeat(1000);
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const stream = await SseStream.open(`${server.url}/v1/runs`, {
      method: 'POST',
      body: { backend: 'echo-arg', prompt },
    });
    ids.push((await stream.waitForType('start')).data.runId as string);
    await stream.waitForType('exit', 10_000);
  }
  const replay = async (id: string) => {
    const stream = await SseStream.open(`${server.url}/v1/runs/${id}/events`);
    await stream.waitForType('exit');
    return stream;
  };
  // 4 × ~20 kB > 50 kB: the two oldest were compacted, the two newest replay whole.
  for (const id of ids.slice(0, 2)) {
    const old = await replay(id);
    assert.deepEqual(
      old.events.map((e) => e.type),
      ['gap', 'exit'],
      id,
    );
    // Everything before the exit was dropped, and the gap says how much.
    assert.equal(old.events[0]?.data.missed, (old.events[1]?.id as number) - 1, JSON.stringify(old.events));
  }
  for (const id of ids.slice(2)) {
    const recent = await replay(id);
    assert.equal(recent.events[0]?.type, 'start');
    assert.equal(recent.stdout().split('\n').filter(Boolean).length, 20);
  }
});
