import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import {
  isRunning,
  readIdentity,
  signalGroup,
  signalProcess,
  spawnProcess,
} from '../../src/process/index.ts';
import { owned } from '../helpers/cleanup.ts';
import { fixture } from '../helpers/fixtures.ts';
import { Output } from '../helpers/output.ts';
import { identitiesOf, survivorsAfter } from '../helpers/processes.ts';
import { killStranger, spawnStrangerWithPid } from '../helpers/recycle-pid.ts';

const strangers: Awaited<ReturnType<typeof spawnStrangerWithPid>>[] = [];
after(async () => {
  for (const stranger of strangers) await killStranger(stranger);
});

test('a stale identity (same pid, other start time) is never signalled', async (t) => {
  const first = spawn('sleep', ['1000'], { stdio: 'ignore' });
  await once(first, 'spawn');
  const stale = readIdentity(first.pid as number);
  assert.ok(stale);
  first.kill('SIGKILL');
  await once(first, 'exit');

  const stranger = await spawnStrangerWithPid(stale.pid);
  strangers.push(stranger);
  const strangerIdentity = readIdentity(stale.pid);
  assert.ok(strangerIdentity);
  assert.notEqual(strangerIdentity.startTime, stale.startTime, 'the pid was recycled for another process');

  assert.equal(signalProcess(stale, 'SIGKILL'), false);
  assert.equal(signalGroup(stale.pid, [stale], 'SIGKILL'), false);
  assert.equal(isRunning(strangerIdentity), true, 'the stranger with the recycled pid still runs');
  assert.equal(signalProcess(strangerIdentity, 'SIGTERM'), true, 'its own identity does reach it');
  assert.deepEqual(await survivorsAfter([strangerIdentity]), []);
});

test('a teardown does not signal a stranger that took a dead member’s pid', async (t) => {
  const child = owned(
    t,
    await spawnProcess({ argv: fixture('spawn-grandchildren'), graceMs: 200, trackIntervalMs: 10 }),
  );
  const out = new Output(child.stdout);
  await out.waitFor('ready');
  const [first, second] = identitiesOf(out.grandchildren());
  assert.ok(first && second);
  // Wait until the tree has recorded both grandchildren, then end one of them behind Tether's back.
  const deadline = Date.now() + 2000;
  while (child.knownTree().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.ok(child.knownTree().some((m) => m.identity.pid === first.pid));
  process.kill(first.pid, 'SIGKILL');
  assert.deepEqual(await survivorsAfter([first]), []);

  const stranger = await spawnStrangerWithPid(first.pid);
  strangers.push(stranger);
  const strangerIdentity = readIdentity(first.pid);
  assert.ok(strangerIdentity);

  const report = await child.close('cancelled');
  assert.equal(report.survivors, 0);
  assert.deepEqual(await survivorsAfter([second], 0), [], 'the living grandchild was ended');
  assert.equal(isRunning(strangerIdentity), true, 'the stranger was left alone');
});
