import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineRing } from '../../src/process/line-ring.ts';

test('splits chunks into lines across chunk boundaries and keeps the last N', () => {
  const ring = new LineRing(2);
  const seen: string[] = [];
  ring.write('a\nb', (l) => seen.push(l));
  ring.write('c\nd\n', (l) => seen.push(l));
  ring.write('tail', (l) => seen.push(l));
  ring.end((l) => seen.push(l));
  assert.deepEqual(seen, ['a', 'bc', 'd', 'tail']);
  assert.deepEqual(ring.lines(), ['d', 'tail']);
  assert.equal(ring.total, 4);
});

test('cuts an overlong line and drops the rest of it', () => {
  const ring = new LineRing(5, 4);
  ring.write('abcdefgh');
  ring.write('ijk\nxy\n');
  assert.deepEqual(ring.lines(), ['abcd', 'xy']);
});
