import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBuffer } from '../../src/runs/event-buffer.ts';

const text = (n: number) => ({ type: 'text' as const, text: String(n) });

test('ids count from 1; since() returns what follows, with a gap event when the buffer rolled', () => {
  const buffer = new EventBuffer(3);
  for (let n = 1; n <= 5; n++) buffer.push(text(n));
  assert.equal(buffer.lastId, 5);
  assert.deepEqual(
    buffer.since(3).map((e) => e.id),
    [4, 5],
  );
  assert.deepEqual(buffer.since(0), [
    { id: 2, event: { type: 'gap', missed: 2 } },
    { id: 3, event: text(3) },
    { id: 4, event: text(4) },
    { id: 5, event: text(5) },
  ]);
  assert.deepEqual(buffer.since(5), []);
});

test('nothing is kept after exit, and subscribers hear every push', () => {
  const buffer = new EventBuffer(8);
  let heard = 0;
  const unsubscribe = buffer.subscribe(() => heard++);
  buffer.push(text(1));
  buffer.push({ type: 'exit', code: 0, signal: null, reason: 'completed' });
  buffer.push(text(2));
  assert.equal(buffer.closed, true);
  assert.equal(buffer.lastId, 2);
  assert.equal(heard, 2);
  unsubscribe();
});
