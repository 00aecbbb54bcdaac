import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../bench/lib/free-port.ts';
import { readStat } from '../../src/process/index.ts';
import { fixture } from '../helpers/fixtures.ts';
import { requestJson, SseStream } from '../helpers/sse-client.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const CYCLES = fileURLToPath(new URL('../helpers/pid1-cycles.ts', import.meta.url));

function zombiesOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((stat) => stat?.ppid === parent && stat.state === 'Z')
    .map((stat) => stat?.pid as number);
}

/** Runs `tether serve` as PID 1 of a new PID namespace; returns the keeper's host pid and the URL. */
async function keeperAsPid1(t: TestContext, reaper: string): Promise<{ keeperPid: number; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tether-pid1-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      backends: {
        zombies: { type: 'command', argv: fixture('orphans-then-exit'), input: 'none' },
      },
    }),
  );
  const port = await freePort();
  const unshare = spawn(
    'unshare',
    [
      '--pid',
      '--fork',
      '--mount-proc',
      process.execPath,
      '--import',
      'tsx',
      MAIN,
      'serve',
      '--config',
      config,
      '--port',
      String(port),
    ],
    {
      env: { ...process.env, TETHER_STATE_DIR: dir, TETHER_REAPER: reaper },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // `unshare --fork` ignores SIGTERM itself: stop the keeper (PID 1 inside), which ends the namespace.
  let keeperPid = 0;
  t.after(async () => {
    if (unshare.exitCode !== null || unshare.signalCode !== null) return;
    const exited = once(unshare, 'exit');
    if (keeperPid) process.kill(keeperPid, 'SIGTERM');
    const late = setTimeout(() => {
      if (keeperPid) process.kill(keeperPid, 'SIGKILL');
      unshare.kill('SIGKILL');
    }, 5000);
    late.unref();
    await exited;
    clearTimeout(late);
  });
  let text = '';
  unshare.stdout.setEncoding('utf8').on('data', (c: string) => {
    text += c;
  });
  unshare.stderr.setEncoding('utf8').on('data', (c: string) => {
    text += c;
  });
  const deadline = Date.now() + 15_000;
  while (!text.includes('listening on') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.match(text, /listening on/);
  keeperPid = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .find((stat) => stat?.ppid === unshare.pid)?.pid as number;
  assert.ok(keeperPid, 'found the keeper (PID 1 inside)');
  return { keeperPid, url: `http://127.0.0.1:${port}` };
}

async function runLeavingZombies(url: string): Promise<void> {
  const stream = await SseStream.open(`${url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'zombies', prompt: '' },
  });
  const exit = await stream.waitForType('exit');
  assert.equal(exit.data.reason, 'completed');
}

test('as PID 1 of a PID namespace the keeper reaps the zombies a run leaves, within two reaper intervals', async (t) => {
  const { keeperPid, url } = await keeperAsPid1(t, 'auto');
  await runLeavingZombies(url);
  // The orphans live 100 ms, then two 100 ms reaper intervals, plus a little.
  await new Promise((r) => setTimeout(r, 350));
  assert.deepEqual(zombiesOf(keeperPid), []);
  assert.equal((await requestJson(`${url}/v1/backends`)).status, 200);
});

test('control: with the reaper off, the same zombies stay (so the test above can fail)', async (t) => {
  const { keeperPid, url } = await keeperAsPid1(t, 'off');
  await runLeavingZombies(url);
  const deadline = Date.now() + 3000;
  while (zombiesOf(keeperPid).length < 3 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(zombiesOf(keeperPid).length, 3);
});

test('as PID 1, 500 spawn/exit cycles under a 10 ms reaper that is not told which children are libuv’s: every exit code intact', async () => {
  const child = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL', process.execPath, '--import', 'tsx', CYCLES],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    text += c;
  });
  const [code] = await once(child, 'exit');
  assert.equal(text, 'ok pid 1\n');
  assert.equal(code, 0);
});
