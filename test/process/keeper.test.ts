import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { OWNER_ENV, readEnvVar } from '../../src/process/environ.ts';
import { findOwnedProcesses, type ProcessIdentity, readStat } from '../../src/process/index.ts';
import { startKeeper } from '../helpers/keeper.ts';
import { identitiesOf, survivorsAfter } from '../helpers/processes.ts';
import { requestJson, SseStream } from '../helpers/sse-client.ts';

/** Starts a detached run of the cooperative tree; returns its identities (root, 2 grandchildren, 1 escapee). */
async function runningTree(url: string): Promise<{ tree: ProcessIdentity[]; serverPid: number }> {
  const created = await requestJson(`${url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'tree', prompt: '' }),
  });
  assert.equal(created.status, 202);
  const events = await SseStream.open(`${url}/v1/runs/${created.body.runId}/events`);
  await events.waitFor(() => events.stdout().includes('ready'));
  const start = events.events[0]?.data as { pid: number };
  const pids = [...events.stdout().matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]));
  events.close();
  const serverPid = readStat(start.pid)?.ppid as number;
  return { tree: identitiesOf([start.pid, ...pids]), serverPid };
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await requestJson(`${url}/v1/backends`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

test('SIGKILL of the server: its whole tree is gone within 1 s and a new server answers on the same port', async (t) => {
  const { keeper, url, output } = await startKeeper(t);
  const { tree, serverPid } = await runningTree(url);
  assert.equal(tree.length, 4);
  const server = identitiesOf([serverPid]);
  process.kill(serverPid, 'SIGKILL');
  assert.deepEqual(
    await survivorsAfter([...server, ...tree], 1000),
    [],
    'server and run tree gone within 1 s',
  );
  assert.ok(await answers(url, 5000), 'restarted server answers');
  assert.match(
    output(),
    new RegExp(`server ${serverPid} died \\(signal SIGKILL\\); ending what it left; restarting in`),
  );
  // The sweep runs beside the restart and reports when it is done: the run's 4 processes.
  const swept = new RegExp(`ended 4 leftover process\\(es\\) of server ${serverPid}`);
  const deadline = Date.now() + 2000;
  while (!swept.test(output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.match(output(), swept);
  const exited = once(keeper, 'exit');
  keeper.kill('SIGTERM');
  assert.deepEqual(await exited, [0, null]);
});

test('TETHER_RESTART=exit: after a SIGKILL of the server the keeper exits 137, and only once the tree is gone', async (t) => {
  const { keeper, url, output } = await startKeeper(t, { env: { TETHER_RESTART: 'exit' } });
  const { tree, serverPid } = await runningTree(url);
  const server = identitiesOf([serverPid]);
  const exited = once(keeper, 'exit');
  process.kill(serverPid, 'SIGKILL');
  assert.deepEqual(await exited, [137, null]);
  assert.deepEqual(
    await survivorsAfter([...server, ...tree], 0),
    [],
    'nothing of the tree outlived the keeper',
  );
  assert.match(output(), new RegExp(`ended 4 leftover process\\(es\\) of server ${serverPid}`));
});

test('SIGTERM to the keeper drains the server, exits 0 and leaves nothing', async (t) => {
  const { keeper, url } = await startKeeper(t);
  const { tree, serverPid } = await runningTree(url);
  const server = identitiesOf([serverPid]);
  const exited = once(keeper, 'exit');
  keeper.kill('SIGTERM');
  assert.deepEqual(await exited, [0, null]);
  assert.deepEqual(await survivorsAfter([...server, ...tree], 0), []);
});

test('SIGKILL of the keeper: the server notices, ends its tree and exits', async (t) => {
  const { keeper, url } = await startKeeper(t);
  const { tree, serverPid } = await runningTree(url);
  const server = identitiesOf([serverPid]);
  keeper.kill('SIGKILL');
  assert.deepEqual(await survivorsAfter([...server, ...tree], 3000), [], 'nothing left');
});

test('boot recovery: a new keeper ends what a SIGKILLed keeper and server left behind', async (t) => {
  const first = await startKeeper(t);
  const { tree, serverPid } = await runningTree(first.url);
  const owner = readEnvVar(serverPid, OWNER_ENV) as string;
  // Both die at once: nobody is left to clean up, so the tree is orphaned.
  process.kill(serverPid, 'SIGKILL');
  first.keeper.kill('SIGKILL');
  await once(first.keeper, 'exit');
  const leftovers = await findOwnedProcesses(owner);
  assert.ok(leftovers.length >= 3, `orphans were left: ${leftovers.length}`);
  const second = await startKeeper(t, { stateDir: first.stateDir });
  assert.deepEqual(await survivorsAfter(tree, 0), [], 'ended before the new server listened');
  assert.match(second.output(), /boot recovery: ended \d+ process/);
  const exited = once(second.keeper, 'exit');
  second.keeper.kill('SIGTERM');
  await exited;
});
