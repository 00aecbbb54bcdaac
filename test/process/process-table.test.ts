import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProcessScanner, readStat, spawnProcess } from '../../src/process/index.ts';
import { owned } from '../helpers/cleanup.ts';
import { lineMatching } from '../helpers/lines.ts';
import { survivorsAfter } from '../helpers/processes.ts';

test('an exact scan shows a process that has just died as dead, even right after a scan that saw it run', async (t) => {
  // The short sleep becomes a zombie under `sleep 100`, which never waits for it: it stays listed in /proc.
  const parent = owned(
    t,
    await spawnProcess({ argv: ['bash', '-c', 'sleep 0.3 & echo $!; exec sleep 100'], graceMs: 500 }),
  );
  const [, pidText] = await lineMatching(parent.stdout, /^(\d+)\n/m);
  const pid = Number(pidText);
  const scanner = new ProcessScanner();
  const before = await scanner.scan();
  assert.equal(before.byPid.get(pid)?.state, 'S');

  const deadline = Date.now() + 3000;
  while (readStat(pid)?.state !== 'Z' && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(readStat(pid)?.state, 'Z');
  const after = await scanner.scan(0, { exact: true });
  assert.ok(after.startedAt - before.startedAt < 1000, 'the second scan follows the first within a second');
  assert.equal(after.byPid.get(pid)?.state, 'Z');
  assert.equal(after.byPid.get(pid)?.ppid, parent.pid);

  const identities = parent.knownTree().map((member) => member.identity);
  await parent.destroy('cancelled');
  assert.deepEqual(await survivorsAfter(identities), []);
});
