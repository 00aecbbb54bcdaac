import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestServer } from '../helpers/server.ts';

test('test hooks exist only when asked for, sit behind the bearer token, and POST /debug/gc reports memory after a full GC', async (t) => {
  const plain = await startTestServer(t);
  const absent = await fetch(`${plain.url}/debug/gc`, { method: 'POST' });
  assert.equal(absent.status, 404);
  assert.equal(((await absent.json()) as { code: string }).code, 'ERR_NOT_FOUND');

  const token = 'hooks-token-123';
  const hooked = await startTestServer(t, { server: { tokens: [token] }, start: { testHooks: true } });
  const anonymous = await fetch(`${hooked.url}/debug/gc`, { method: 'POST' });
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { code: string }).code, 'ERR_UNAUTHORIZED');
  const wedge = await fetch(`${hooked.url}/debug/wedge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ms: 1 }),
  });
  assert.equal(wedge.status, 401);

  // Garbage made here and dropped: a full GC must leave the heap in use below what it was with it held.
  let garbage: string[] | undefined = Array.from({ length: 200_000 }, (_, i) => `item ${i} `.repeat(4));
  const held = process.memoryUsage().heapUsed;
  assert.ok(garbage.length > 0);
  garbage = undefined;
  const answer = await fetch(`${hooked.url}/debug/gc`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(answer.status, 200);
  const body = (await answer.json()) as Record<string, number>;
  assert.ok(body.heap_used_bytes && body.heap_total_bytes && body.rss_bytes);
  assert.ok(body.heap_used_bytes <= body.heap_total_bytes);
  assert.ok(body.heap_used_bytes < held - 10 * 2 ** 20, `${body.heap_used_bytes} after GC vs ${held} held`);
});
