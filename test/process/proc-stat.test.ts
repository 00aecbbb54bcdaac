import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStat, readIdentity, readStat } from '../../src/process/index.ts';

test('parseStat reads fixed fields after the last parenthesis, whatever the command name holds', () => {
  const fields = 'S 10 20 30 0 -1 4194560 1 0 0 0 7 3 0 0 20 0 1 0 123456 1000 250';
  const stat = parseStat(`4242 (evil) name (x) 1) ${fields}`);
  assert.ok(stat);
  assert.equal(stat.pid, 4242);
  assert.equal(stat.comm, 'evil) name (x) 1');
  assert.equal(stat.state, 'S');
  assert.equal(stat.ppid, 10);
  assert.equal(stat.pgid, 20);
  assert.equal(stat.sid, 30);
  assert.equal(stat.utimeTicks, 7);
  assert.equal(stat.stimeTicks, 3);
  assert.equal(stat.startTime, 123456);
  assert.equal(stat.rssPages, 250);
});

test('parseStat rejects text that is not a stat line', () => {
  assert.equal(parseStat('garbage'), undefined);
  assert.equal(parseStat('12 (x'), undefined);
});

test('readStat and readIdentity describe this very process', () => {
  const stat = readStat(process.pid);
  assert.ok(stat);
  assert.equal(stat.ppid, process.ppid);
  assert.equal(stat.state, 'R');
  const identity = readIdentity(process.pid);
  assert.deepEqual(identity, { pid: process.pid, startTime: stat.startTime });
  assert.equal(readStat(2 ** 22 + 7), undefined, 'a pid above pid_max does not exist');
});
