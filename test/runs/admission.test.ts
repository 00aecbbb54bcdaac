import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TetherError } from '../../src/errors.ts';
import { Admission } from '../../src/runs/admission.ts';

const limits = { maxRuns: 2, maxRunsPerClient: 1, queueSize: 1, queueWaitMs: 5000 };

test('global and per-client limits, a FIFO queue that skips clients at their own limit', async () => {
  const admission = new Admission(limits);
  const a = await admission.acquire('a');
  const b = await admission.acquire('b');
  assert.equal(admission.running, 2);
  const queued = admission.acquire('c');
  await assert.rejects(admission.acquire('d'), { code: 'ERR_CAPACITY' });
  a.release();
  a.release();
  const c = await queued;
  assert.equal(admission.running, 2);
  b.release();
  c.release();
  assert.equal(admission.running, 0);
});

test('a queued request times out, and one whose signal aborts leaves the queue', async (t) => {
  // Admission's timers are unref'd (a server's sockets keep the loop alive); here nothing else would.
  const alive = setInterval(() => {}, 1000);
  t.after(() => clearInterval(alive));
  const admission = new Admission({ ...limits, maxRuns: 1, queueWaitMs: 30 });
  const held = await admission.acquire('a');
  await assert.rejects(admission.acquire('b'), { code: 'ERR_QUEUE_TIMEOUT' });
  const gone = new AbortController();
  const leaving = admission.acquire('c', gone.signal);
  gone.abort();
  await assert.rejects(leaving, { code: 'ERR_CLOSED' });
  assert.equal(admission.queued, 0);
  const refused = admission.acquire('d');
  admission.refuseQueued(new TetherError('ERR_SHUTTING_DOWN', 'bye'));
  await assert.rejects(refused, { code: 'ERR_SHUTTING_DOWN' });
  held.release();
});
