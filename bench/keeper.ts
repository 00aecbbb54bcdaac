// Keeper benchmark: server SIGKILL → last process of its tree gone (p50/p99), server SIGKILL → a restarted
// server answers on the same port, keeper RSS. Writes its section of BENCHMARKS.md. Run: npm run bench:keeper
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findOwnedProcesses,
  isGone,
  OWNER_ENV,
  type ProcessIdentity,
  readEnvVar,
  readIdentity,
  readRssBytes,
  readStat,
  signalProcess,
} from '../src/process/index.ts';
import { freePort } from './lib/free-port.ts';
import { machineLine } from './lib/machine.ts';
import { writeSection } from './lib/report.ts';
import { fmt, median, quantile } from './lib/stats.ts';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TREE = fileURLToPath(new URL('../test/fixtures/cooperative-tree', import.meta.url));
const TRIALS = Number(process.env.BENCH_KEEPER_TRIALS ?? 20);
const BASELINE_TRIALS = Number(process.env.BENCH_KEEPER_BASELINE_TRIALS ?? 3);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(2);
  }
}

function childOf(parent: number): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (readStat(Number(name))?.ppid === parent) return Number(name);
  }
  return undefined;
}

async function answers(url: string): Promise<true | undefined> {
  const ok = await fetch(`${url}/v1/backends`).then(
    (r) => r.ok,
    () => false,
  );
  return ok ? true : undefined;
}

interface Trial {
  readonly goneMs: number;
  readonly restartMs: number;
  readonly rssBytes: number;
}

/** One fresh keeper (so the restart backoff is its first, 100 ms): a run tree of 4, SIGKILL the server. */
async function trial(dir: string): Promise<Trial> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const keeper: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'serve', '--config', join(dir, 'config.json'), '--port', String(port)],
    { env: { ...process.env, TETHER_STATE_DIR: dir }, stdio: 'ignore' },
  );
  try {
    await until(() => answers(url), 20_000, 'server listening');
    const keeperPid = keeper.pid as number;
    const serverPid = await until(() => childOf(keeperPid), 2000, 'server pid');
    const owner = readEnvVar(serverPid, OWNER_ENV) as string;
    const created = await fetch(`${url}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ backend: 'tree', prompt: '' }),
    });
    if (created.status !== 202) throw new Error(`run not created: ${created.status}`);
    const tree = await until(
      async () => {
        const found = (await findOwnedProcesses(owner)).filter((s) => s.pid !== serverPid);
        return found.length >= 4 ? found.map((s) => ({ pid: s.pid, startTime: s.startTime })) : undefined;
      },
      5000,
      'run tree started',
    );
    const server = readIdentity(serverPid) as ProcessIdentity;
    const all = [server, ...tree];
    const rssBytes = readRssBytes(keeperPid) ?? Number.NaN;
    const killedAt = performance.now();
    process.kill(serverPid, 'SIGKILL');
    await until(() => (all.every(isGone) ? true : undefined), 5000, 'tree gone');
    const goneMs = performance.now() - killedAt;
    await until(() => answers(url), 20_000, 'restarted server');
    const restartMs = performance.now() - killedAt;
    return { goneMs, restartMs, rssBytes };
  } finally {
    const exited = once(keeper, 'exit');
    keeper.kill('SIGTERM');
    await exited;
  }
}

/**
 * The baseline: the same server without a keeper (`--no-keeper`), SIGKILLed the same way. Returns how
 * many processes of its run's tree still run 2 s later, then ends them itself (the bench leaves nothing).
 */
async function baselineTrial(dir: string): Promise<number> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      'serve',
      '--no-keeper',
      '--config',
      join(dir, 'config.json'),
      '--port',
      String(port),
    ],
    { env: { ...process.env, TETHER_STATE_DIR: dir }, stdio: 'ignore' },
  );
  const exited = once(server, 'exit');
  let tree: ProcessIdentity[] = [];
  try {
    await until(() => answers(url), 20_000, 'server listening');
    const created = await fetch(`${url}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ backend: 'tree', prompt: '' }),
    });
    const { runId } = (await created.json()) as { runId: string };
    const view = (await (await fetch(`${url}/v1/runs/${runId}`)).json()) as { pid: number };
    const owner = readEnvVar(view.pid, OWNER_ENV) as string;
    tree = await until(
      async () => {
        const found = await findOwnedProcesses(owner);
        return found.length >= 4 ? found.map((s) => ({ pid: s.pid, startTime: s.startTime })) : undefined;
      },
      5000,
      'run tree started',
    );
    process.kill(server.pid as number, 'SIGKILL');
    await exited;
    await sleep(2000);
    return tree.filter((identity) => !isGone(identity)).length;
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await exited;
    }
    for (const identity of tree) signalProcess(identity, 'SIGKILL');
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tether-bench-keeper-'));
writeFileSync(
  join(dir, 'config.json'),
  JSON.stringify({
    limits: { kill_grace_ms: 300, shutdown_grace_s: 1 },
    backends: { tree: { type: 'command', argv: [TREE], input: 'none', output: 'text' } },
  }),
);
const trials: Trial[] = [];
const left: number[] = [];
try {
  for (let i = 0; i < TRIALS; i++) {
    trials.push(await trial(dir));
    process.stderr.write('.');
  }
  for (let i = 0; i < BASELINE_TRIALS; i++) left.push(await baselineTrial(dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stderr.write('\n');
const gone = trials.map((t) => t.goneMs);
const restart = trials.map((t) => t.restartMs);
const rss = trials.map((t) => t.rssBytes / 2 ** 20);
const body = `## Keeper (\`npm run bench:keeper\`)

${new Date().toISOString().slice(0, 10)} · ${machineLine()}

A fresh \`tether serve\` (keeper + server, under tsx) per trial, ${TRIALS} trials; each with one run of
\`cooperative-tree\` (shell, 2 grandchildren, 1 setsid escapee) before the server is SIGKILLed.

| claim | goal | Tether (keeper) | baseline: the same server with \`--no-keeper\`, same run | verdict |
| --- | --- | --- | --- | --- |
| nothing of a run's tree survives a SIGKILL of the server | 0 left, p99 ≤ 500 ms | 0 left in ${TRIALS} of ${TRIALS} trials; gone p50 ${fmt(median(gone))} ms, p99 ${fmt(quantile(gone, 0.99))} ms | ${left.join(', ')} of 4 processes still running 2 s later (${BASELINE_TRIALS} trials; the bench then ends them) | ${quantile(gone, 0.99) <= 500 ? 'met' : '**not met**'} |

| measure | p50 | p99 |
| --- | ---: | ---: |
| server SIGKILL → last process of its tree gone (ms; target p99 ≤ 500) | ${fmt(median(gone))} | ${fmt(quantile(gone, 0.99))} |
| server SIGKILL → restarted server answers on the same port (ms; includes the first 100 ms backoff) | ${fmt(median(restart))} | ${fmt(quantile(restart, 0.99))} |
| keeper RSS with a server running (MiB; tsx loaded) | ${fmt(median(rss))} | ${fmt(quantile(rss, 0.99))} |
`;
writeSection('keeper', body);
process.stdout.write(body);
