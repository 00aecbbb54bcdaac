import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { readStat } from '../../src/process/index.ts';
import { zombiesAfter } from '../helpers/processes.ts';
import { testReaper } from '../helpers/subreaper.ts';

test('an orphan re-parents to this subreaper and is reaped once it exits', async () => {
  const reapedBefore = testReaper.stats.reaped;
  assert.equal(testReaper.stats.subreaper, true);
  // The middle shell exits at once; its child sleeps a little, orphaned, then exits.
  const middle = spawn('/bin/sh', ['-c', '( sleep 0.3 & echo $! ) ; exit 0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let text = '';
  middle.stdout.setEncoding('utf8').on('data', (d: string) => {
    text += d;
  });
  await once(middle, 'close');
  const orphan = Number(text.trim());
  assert.equal(readStat(orphan)?.ppid, process.pid, 'the orphan came to us, not to PID 1');
  const deadline = Date.now() + 3000;
  while (readStat(orphan) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(readStat(orphan), undefined, 'exited and reaped');
  assert.ok(testReaper.stats.reaped > reapedBefore);
  assert.deepEqual(await zombiesAfter(), []);
});

test('the reaper never steals the exit code of a child libuv spawned', async () => {
  const codes = Array.from({ length: 200 }, (_, i) => i % 50);
  for (const code of codes) {
    const child = spawn('/bin/sh', ['-c', `exit ${code}`], { stdio: 'ignore' });
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    assert.equal(exitCode, code);
  }
});
