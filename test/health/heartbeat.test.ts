import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Heartbeat, HeartbeatReader } from '../../src/health/heartbeat.ts';
import { LoopDelay } from '../../src/health/loop-delay.ts';

function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // wedged on purpose
  }
}

async function turns(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

test('the heartbeat ages while the loop is blocked, a reader on the buffer sees it, and the stall is added up', async (t) => {
  const heartbeat = new Heartbeat({ intervalMs: 20, stallMs: 200 });
  t.after(() => heartbeat.close());
  heartbeat.start();
  await turns(60);
  assert.ok(heartbeat.ageMs() < 200, `age ${heartbeat.ageMs()} on a free loop`);
  const reader = new HeartbeatReader(heartbeat.buffer);
  block(600);
  assert.ok(reader.ageMs() >= 550, `a reader saw ${reader.ageMs()} ms`);
  assert.equal(heartbeat.stalledSeconds, 0, 'not counted until the loop beats again');
  await turns(60);
  assert.ok(heartbeat.ageMs() < 200);
  assert.ok(
    heartbeat.stalledSeconds >= 0.5 && heartbeat.stalledSeconds < 1,
    String(heartbeat.stalledSeconds),
  );
  heartbeat.close();
  heartbeat.close();
});

test('loop delay percentiles report the delay beyond the sampling interval', async (t) => {
  const delay = new LoopDelay({ windowMs: 100_000, resolutionMs: 10 });
  t.after(() => delay.close());
  delay.start();
  await turns(100);
  const calm = delay.percentiles();
  assert.ok(calm.p50 < 5, `calm p50 ${calm.p50}`);
  for (let i = 0; i < 10; i++) {
    block(50);
    await turns(1);
  }
  const busy = delay.percentiles();
  assert.ok(busy.max >= 40, `max ${busy.max} after 50 ms blocks`);
});
