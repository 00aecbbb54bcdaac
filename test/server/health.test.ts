import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { detectCgroupMemory } from '../../src/health/memory/cgroup.ts';
import { instanceOwner, OWNER_ENV, readIdentity } from '../../src/process/index.ts';
import { cgroupFixture } from '../helpers/cgroup-fixture.ts';
import { identitiesOf, survivorsAfter, zombiesAfter } from '../helpers/processes.ts';
import { startTestServer } from '../helpers/server.ts';
import { requestJson, SseStream } from '../helpers/sse-client.ts';
import { testReaper } from '../helpers/subreaper.ts';

type Body = Record<string, unknown>;

/** Polls GET `path` (bounded) until `accept` says yes; returns the last answer either way. */
async function pollUntil(
  url: string,
  accept: (status: number, body: Body) => boolean,
  timeoutMs = 8000,
): Promise<{ status: number; body: Body }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await requestJson(url);
    if (accept(answer.status, answer.body) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function openRun(url: string, backend: string): Promise<{ stream: SseStream; pids: number[] }> {
  const stream = await SseStream.open(`${url}/v1/runs`, { method: 'POST', body: { backend, prompt: '' } });
  const start = (await stream.waitForType('start')).data;
  await stream.waitFor(() => stream.stdout().includes('ready'));
  const grandchildren = [...stream.stdout().matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]));
  return { stream, pids: [start.pid as number, ...grandchildren] };
}

test('/healthz tells the truth about children, work and the process', async (t) => {
  const server = await startTestServer(t);
  const idle = await requestJson(`${server.url}/healthz`);
  assert.equal(idle.status, 200);
  assert.equal(idle.body.status, 'ok');
  assert.equal(idle.body.pid, process.pid);
  assert.equal(idle.body.busy, false);
  assert.equal(idle.body.event_loop, 'ok');
  assert.ok((idle.body.open_fds as number) > 3);
  assert.ok((idle.body.rss_bytes as number) > 10 * 1024 * 1024);
  assert.equal((idle.body.memory as Body).enabled, true);
  assert.equal((idle.body.memory as Body).cgroup, 'v1');
  assert.match(idle.body.version as string, /^\d+\.\d+\.\d+/);

  const { stream, pids } = await openRun(server.url, 'spawn-grandchildren');
  const tree = identitiesOf(pids);
  const busy = await requestJson(`${server.url}/healthz`);
  assert.deepEqual(busy.body.children, { live: 1, by_backend: { 'spawn-grandchildren': 1 } });
  assert.equal(busy.body.busy, true);

  stream.abort();
  assert.deepEqual(await survivorsAfter(tree), []);
  const after = await pollUntil(`${server.url}/healthz`, (_s, body) => body.busy === false);
  assert.deepEqual(after.body.children, { live: 0, by_backend: {} });
  assert.equal(after.body.leaked, 0);
});

test('leaked: a marked process no owner claims is counted, then fails liveness past the grace', async (t) => {
  const server = await startTestServer(t, { health: { leakGraceS: 0.5 } });
  // Planted as a bug would leave it: carrying this server's marker, owned by nobody.
  const planted = spawn('/bin/sleep', ['30'], {
    env: { ...process.env, [OWNER_ENV]: `${instanceOwner}/planted` },
    stdio: 'ignore',
  });
  t.after(() => planted.kill('SIGKILL'));
  const pid = planted.pid as number;
  const seen = await pollUntil(`${server.url}/healthz`, (_s, body) => (body.leaked as number) > 0);
  assert.equal(seen.body.leaked, 1, JSON.stringify(seen.body.leaks));
  const unowned = (seen.body.leaks as { unowned: Body[] }).unowned;
  assert.deepEqual(
    unowned.map((p) => [p.pid, p.comm, p.owner]),
    [[pid, 'sleep', `${instanceOwner}/planted`]],
  );

  const failing = await pollUntil(`${server.url}/healthz`, (status) => status === 503);
  assert.equal(failing.status, 503);
  assert.equal(failing.body.status, 'unhealthy');
  assert.match((failing.body.reasons as string[]).join(), /1 leaked process/);

  const identity = readIdentity(pid);
  assert.ok(identity);
  planted.kill('SIGKILL');
  assert.deepEqual(await survivorsAfter([identity]), []);
  const healed = await pollUntil(`${server.url}/healthz`, (status) => status === 200);
  assert.equal(healed.status, 200);
  assert.equal(healed.body.leaked, 0);
});

test('leaked: an unreaped zombie child of the server is counted', async (t) => {
  const server = await startTestServer(t);
  // With the test's reaper paused, an orphan re-parented to this process (a subreaper) stays a zombie.
  testReaper.stop();
  t.after(() => testReaper.start({ subreaper: true }));
  const parent = spawn('/bin/sh', ['-c', 'sleep 0.05 & echo $!'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  parent.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  await new Promise((resolve) => parent.once('exit', resolve));
  const orphan = Number(out.trim());
  const seen = await pollUntil(`${server.url}/healthz`, (_s, body) =>
    ((body.leaks as { zombies: number[] }).zombies ?? []).includes(orphan),
  );
  assert.deepEqual((seen.body.leaks as { zombies: number[] }).zombies, [orphan]);
  assert.equal(seen.body.leaked, 1);
  await testReaper.start({ subreaper: true });
  assert.deepEqual(await zombiesAfter(), []);
  const clear = await pollUntil(`${server.url}/healthz`, (_s, body) => body.leaked === 0);
  assert.equal(clear.body.leaked, 0);
});

test('/readyz: 503 at capacity, 200 once a slot frees', async (t) => {
  const server = await startTestServer(t, { limits: { maxRuns: 1 } });
  assert.deepEqual((await requestJson(`${server.url}/readyz`)).body, { status: 'ready', reasons: [] });
  const { stream, pids } = await openRun(server.url, 'cooperative-tree');
  const tree = identitiesOf(pids);
  const full = await requestJson(`${server.url}/readyz`);
  assert.equal(full.status, 503);
  assert.deepEqual(full.body, { status: 'not_ready', reasons: ['at_capacity'] });
  stream.abort();
  assert.deepEqual(await survivorsAfter(tree), []);
  const ready = await pollUntil(`${server.url}/readyz`, (status) => status === 200);
  assert.equal(ready.status, 200);
});

test('/readyz: 503 while draining', async (t) => {
  const server = await startTestServer(t, { limits: { shutdownGraceS: 3 } });
  const { stream, pids } = await openRun(server.url, 'cooperative-tree');
  t.after(() => stream.close());
  const tree = identitiesOf(pids);
  const closing = server.close();
  const draining = await requestJson(`${server.url}/readyz`);
  assert.equal(draining.status, 503);
  assert.deepEqual(draining.body.reasons, ['draining']);
  const health = await requestJson(`${server.url}/healthz`);
  assert.equal(health.status, 200, 'draining is not dead');
  assert.equal(health.body.draining, true);
  stream.abort();
  await closing;
  assert.deepEqual(await survivorsAfter(tree), []);
});

test('/readyz: 503 above the memory high-water mark, 200 below the low-water mark', async (t) => {
  const MiB = 1024 * 1024;
  const fx = cgroupFixture(t, 2, { 'memory.max': `${1000 * MiB}\n`, 'memory.stat': 'inactive_file 0\n' });
  const cgroup = detectCgroupMemory({ procCgroup: fx.procCgroup, root: fx.root });
  const server = await startTestServer(t, {
    health: { memoryIntervalS: 0.05, memoryHighWater: 0.9, memoryLowWater: 0.8 },
    start: { cgroup },
  });
  fx.write('memory.current', `${950 * MiB}\n`);
  const high = await pollUntil(`${server.url}/readyz`, (status) => status === 503);
  assert.deepEqual(high.body, { status: 'not_ready', reasons: ['memory_high_water'] });
  const health = await requestJson(`${server.url}/healthz`);
  assert.equal(health.status, 200, 'memory pressure sheds load; it does not fail liveness');
  assert.equal((health.body.memory as Body).above_high_water, true);
  assert.equal((health.body.memory as Body).cgroup, 'v2');
  fx.write('memory.current', `${850 * MiB}\n`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal((await requestJson(`${server.url}/readyz`)).status, 503, 'between the marks nothing changes');
  fx.write('memory.current', `${700 * MiB}\n`);
  const low = await pollUntil(`${server.url}/readyz`, (status) => status === 200);
  assert.equal(low.status, 200);
});

test('/v1/processes lists each owner with its live tree, setsid escapee included', async (t) => {
  const server = await startTestServer(t, { server: { tokens: ['health-test-token'] } });
  const auth = { authorization: 'Bearer health-test-token' };
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'spawn-setsid-grandchild', prompt: '' },
    headers: auth,
  });
  const start = (await stream.waitForType('start')).data;
  await stream.waitFor(() => stream.stdout().includes('ready'));
  const grandchildren = [...stream.stdout().matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]));
  const tree = identitiesOf([start.pid as number, ...grandchildren]);

  assert.equal((await requestJson(`${server.url}/v1/processes`)).status, 401);
  assert.equal((await requestJson(`${server.url}/healthz`)).status, 200, 'liveness needs no token');
  const listed = await pollUntil(`${server.url}/v1/processes`, () => true).then(() =>
    requestJson(`${server.url}/v1/processes`, { headers: auth }),
  );
  assert.equal(listed.status, 200);
  const owners = listed.body.owners as { owner: string; pid: number; labels: Body; processes: Body[] }[];
  assert.equal(owners.length, 1);
  const [owner] = owners;
  assert.ok(owner);
  assert.equal(owner.pid, start.pid);
  assert.deepEqual(owner.labels, { backend: 'spawn-setsid-grandchild', run: start.runId });
  const pids = owner.processes.map((p) => p.pid as number).sort();
  assert.deepEqual(pids, [start.pid as number, ...grandchildren].sort());
  for (const row of owner.processes) {
    assert.ok((row.owner as string).startsWith(owner.owner), JSON.stringify(row));
    assert.ok((row.rss_bytes as number) > 0);
    assert.equal(typeof row.command, 'string');
    assert.ok((row.age_s as number) >= 0 && (row.age_s as number) < 60);
  }
  assert.deepEqual((listed.body.server as Body).pid, process.pid);

  stream.abort();
  assert.deepEqual(await survivorsAfter(tree), []);
});
