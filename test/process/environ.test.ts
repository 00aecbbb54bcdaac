import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findEnvVar, markerBelongsTo, readEnvVar } from '../../src/process/environ.ts';
import { ProcessTable } from '../../src/process/process-table.ts';

test('findEnvVar finds a variable at the start, in the middle and not at all', () => {
  const raw = 'TETHER_OWNER=a/1\0PATH=/bin\0XTETHER_OWNER=no\0';
  assert.equal(findEnvVar(raw, 'TETHER_OWNER'), 'a/1');
  assert.equal(findEnvVar(raw, 'PATH'), '/bin');
  assert.equal(findEnvVar('XTETHER_OWNER=no\0', 'TETHER_OWNER'), null);
  assert.equal(findEnvVar('A=1', 'A'), '1');
});

test('a marker belongs to its owner and to owners nested below it, not to a sibling prefix', () => {
  assert.equal(markerBelongsTo('inst/1', 'inst/1'), true);
  assert.equal(markerBelongsTo('inst/1/4', 'inst/1'), true);
  assert.equal(markerBelongsTo('inst/10', 'inst/1'), false);
  assert.equal(markerBelongsTo(null, 'inst/1'), false);
});

test('readEnvVar reads the environment this process was started with', () => {
  assert.equal(readEnvVar(process.pid, 'PATH'), process.env.PATH);
  assert.equal(readEnvVar(2 ** 22 + 7, 'PATH'), undefined);
});

test('a table indexes markers by owner and by every owner above it', () => {
  const table = new ProcessTable(
    0,
    new Map(),
    new Map([
      [10, 'inst/1'],
      [11, 'inst/1/2'],
      [12, 'inst/10'],
      [13, 'other/1'],
    ]),
  );
  assert.deepEqual([...table.ownedBy('inst/1')].sort(), [10, 11]);
  assert.deepEqual([...table.ownedBy('inst')].sort(), [10, 11, 12]);
  assert.deepEqual(table.ownedBy('inst/1/2'), [11]);
  assert.deepEqual(table.ownedBy('ins'), []);
});
