import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEnvVar } from '../../src/process/environ.ts';
import {
  findOwnedProcesses,
  instanceOwner,
  OWNER_ENV,
  ProcessRegistry,
  spawnProcess,
} from '../../src/process/index.ts';
import { owned } from '../helpers/cleanup.ts';
import { fixture } from '../helpers/fixtures.ts';
import { Output } from '../helpers/output.ts';
import { identitiesOf, survivorsAfter } from '../helpers/processes.ts';

test('an escapee that scrubbed its environment is still known from an ancestry snapshot', async (t) => {
  const child = owned(
    t,
    await spawnProcess({ argv: fixture('spawn-scrubbed-escapee'), trackIntervalMs: 20, graceMs: 300 }),
  );
  const out = new Output(child.stdout);
  await out.waitFor('ready');
  const [escapee] = identitiesOf(out.grandchildren());
  assert.ok(escapee);
  assert.equal(readEnvVar(escapee.pid, OWNER_ENV) ?? null, null, 'it carries no marker');
  const member = child.knownTree().find((m) => m.identity.pid === escapee.pid);
  assert.equal(member?.foundBy, 'ancestry');
  const report = await child.close('cancelled');
  assert.deepEqual(await survivorsAfter([escapee], 0), []);
  assert.ok(report.descendantsKilled >= 1);
});

test('a setsid escapee whose parent exited at once is found by its marker', async (t) => {
  const child = owned(t, await spawnProcess({ argv: fixture('spawn-setsid-grandchild'), graceMs: 300 }));
  const out = new Output(child.stdout);
  await out.waitFor('ready');
  const [escapee] = identitiesOf(out.grandchildren());
  assert.ok(escapee);
  const report = await child.close('cancelled');
  const member = child.knownTree().find((m) => m.identity.pid === escapee.pid);
  assert.ok(member, 'recorded');
  assert.notEqual(member.pgid, child.pid, 'in a group of its own');
  assert.deepEqual(await survivorsAfter([escapee], 0), []);
  assert.equal(report.descendantsKilled, 1);
});

test('the registry lists live children with snapshots and counts them by label', async (t) => {
  const registry = new ProcessRegistry();
  const a = owned(
    t,
    await spawnProcess({ argv: fixture('spawn-grandchildren'), registry, labels: { backend: 'demo' } }),
  );
  const b = owned(
    t,
    await spawnProcess({ argv: fixture('spawn-grandchildren'), registry, labels: { backend: 'other' } }),
  );
  const outA = new Output(a.stdout);
  const outB = new Output(b.stdout);
  await Promise.all([outA.waitFor('ready'), outB.waitFor('ready')]);
  await a.close('cancelled', { graceMs: 0 }).catch(() => {}); // prove removal below
  assert.equal(registry.size, 1);
  const [snap] = registry.list();
  assert.ok(snap);
  assert.equal(snap.pid, b.pid);
  assert.equal(snap.pgid, b.pid, 'its own process group');
  assert.equal(snap.owner, b.owner);
  assert.equal(snap.command, 'spawn-grandchildren');
  assert.equal(snap.state, 'running');
  assert.ok(snap.rssBytes > 0);
  // The tree is recorded by the periodic scan (every 100 ms by default).
  const deadline = Date.now() + 2000;
  while ((registry.list()[0]?.treeSize ?? 0) < 3 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal(registry.list()[0]?.treeSize, 3, 'root and two grandchildren');
  assert.ok(snap.ageMs >= 0);
  assert.deepEqual(registry.counts().byLabel, { other: 1 });
  const reports = await registry.closeAll('shutdown');
  assert.equal(reports[0]?.reason, 'shutdown');
  const counts = registry.counts();
  assert.equal(counts.live, 0);
  assert.equal(counts.spawned, 2);
  assert.equal(counts.ended, 2);
  assert.ok(counts.escapeesKilled >= 4, 'the grandchildren of a and b');
});

test('findOwnedProcesses finds every process of an owner, and of owners nested below it', async (t) => {
  const child = owned(
    t,
    await spawnProcess({ argv: fixture('spawn-setsid-grandchild'), owner: `${instanceOwner}/x/1` }),
  );
  const out = new Output(child.stdout);
  await out.waitFor('ready');
  const [escapee] = out.grandchildren();
  const pids = (await findOwnedProcesses(`${instanceOwner}/x`)).map((p) => p.pid).sort();
  assert.deepEqual(pids, [child.pid, escapee].sort());
  assert.deepEqual(await findOwnedProcesses(`${instanceOwner}/y`), []);
  await child.close('cancelled');
  assert.deepEqual(await findOwnedProcesses(`${instanceOwner}/x`), []);
});
