// Chaos: under load (streaming runs with grandchildren and setsid escapees), SIGKILL the server 100 times
// (BENCH_CHAOS_SERVER_KILLS): each time nothing carrying its marker may be left, and the keeper's next server
// must serve a run to its end within 2 s of the kill. Then SIGKILL the keeper 20 times (BENCH_CHAOS_KEEPER_KILLS),
// a fresh `tether serve` each: the server and everything carrying either marker must be gone. Writes its
// section of BENCHMARKS.md; exits 1 on any failure. Run: npm run bench:chaos
import { fileURLToPath } from 'node:url';
import { findOwnedProcesses, isGone, readIdentity } from '../src/process/index.ts';
import { machineLine } from './lib/machine.ts';
import { writeSection } from './lib/report.ts';
import { type ServeProcess, startServe } from './lib/serve-process.ts';
import { type RunEnding, sseRun } from './lib/sse-run.ts';
import { fmt, median, quantile } from './lib/stats.ts';

const SERVER_KILLS = Number(process.env.BENCH_CHAOS_SERVER_KILLS ?? 100);
const KEEPER_KILLS = Number(process.env.BENCH_CHAOS_KEEPER_KILLS ?? 20);
const LOAD = Number(process.env.BENCH_CHAOS_LOAD ?? 4);
const FIXTURES = fileURLToPath(new URL('../test/fixtures', import.meta.url));
const LOAD_BACKENDS = ['spawn-grandchildren', 'spawn-setsid-grandchild', 'streamer', 'ignore-sigterm'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const config = {
  limits: { kill_grace_ms: 200, shutdown_grace_s: 1, default_timeout_s: 60 },
  backends: Object.fromEntries([
    ...LOAD_BACKENDS.map((name) => [
      name,
      { type: 'command', argv: [`${FIXTURES}/${name}`], input: 'none', output: 'text' },
    ]),
    ['quick', { type: 'command', argv: [`${FIXTURES}/streamer`, 'exit'], input: 'none', output: 'text' }],
  ]),
};

async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || performance.now() > deadline) return value;
    await sleep(5);
  }
}

/** Opens `LOAD` streaming runs and waits until each has its tree up; resolves with their endings later. */
async function load(url: string, marker: string, serverPid: number): Promise<Promise<RunEnding>[]> {
  const endings = Array.from({ length: LOAD }, (_, i) =>
    sseRun(url, { backend: LOAD_BACKENDS[i % LOAD_BACKENDS.length], prompt: '' }, { timeoutMs: 120_000 }),
  );
  await until(async () => {
    const marked = (await findOwnedProcesses(marker)).filter((p) => p.pid !== serverPid);
    return marked.length >= LOAD * 2 ? true : undefined;
  }, 5000);
  return endings;
}

interface ServerKill {
  readonly leftAfterMs: number | undefined;
  readonly servingAfterMs: number | undefined;
  readonly markedAtKill: number;
}

async function killServer(serve: ServeProcess): Promise<ServerKill> {
  const serverPid = await until(() => serve.serverPid(), 5000);
  if (!serverPid) throw new Error(`no server under the keeper:\n${serve.logTail()}`);
  const marker = serve.markerOf(serverPid);
  const server = readIdentity(serverPid);
  const endings = await load(serve.url, marker, serverPid);
  const markedAtKill = (await findOwnedProcesses(marker)).length;
  const killedAt = performance.now();
  process.kill(serverPid, 'SIGKILL');
  const gone = await until(async () => {
    const left = await findOwnedProcesses(marker);
    return left.length === 0 && server && isGone(server) ? performance.now() - killedAt : undefined;
  }, 5000);
  const serving = await until(async () => {
    const ending = await sseRun(serve.url, { backend: 'quick', prompt: '' }, { timeoutMs: 5000 });
    return ending.kind === 'exit' && ending.reason === 'completed' ? performance.now() - killedAt : undefined;
  }, 5000);
  await Promise.all(endings);
  return { leftAfterMs: gone, servingAfterMs: serving, markedAtKill };
}

interface KeeperKill {
  readonly goneAfterMs: number | undefined;
  readonly markedAtKill: number;
}

async function killKeeper(): Promise<KeeperKill> {
  const serve = await startServe(config);
  try {
    const serverPid = await until(() => serve.serverPid(), 5000);
    if (!serverPid) throw new Error('no server under the keeper');
    const serverMarker = serve.markerOf(serverPid);
    const keeperMarker = serverMarker.slice(0, serverMarker.lastIndexOf('/'));
    const server = readIdentity(serverPid);
    const endings = await load(serve.url, serverMarker, serverPid);
    const markedAtKill = (await findOwnedProcesses(keeperMarker)).length;
    const killedAt = performance.now();
    process.kill(serve.keeperPid, 'SIGKILL');
    const gone = await until(async () => {
      const left = await findOwnedProcesses(keeperMarker);
      return left.length === 0 && server && isGone(server) ? performance.now() - killedAt : undefined;
    }, 10_000);
    await Promise.all(endings);
    return { goneAfterMs: gone, markedAtKill };
  } finally {
    await serve.stop(1000);
  }
}

const serverKills: ServerKill[] = [];
const serve = await startServe(config);
try {
  for (let i = 0; i < SERVER_KILLS; i++) {
    serverKills.push(await killServer(serve));
    if ((i + 1) % 10 === 0) process.stderr.write(`${i + 1} `);
  }
} finally {
  await serve.stop();
}
process.stderr.write('\n');
const keeperKills: KeeperKill[] = [];
for (let i = 0; i < KEEPER_KILLS; i++) keeperKills.push(await killKeeper());

const cleaned = serverKills.map((k) => k.leftAfterMs).filter((v): v is number => v !== undefined);
const served = serverKills.map((k) => k.servingAfterMs).filter((v): v is number => v !== undefined);
const keeperGone = keeperKills.map((k) => k.goneAfterMs).filter((v): v is number => v !== undefined);
const late = served.filter((ms) => ms > 2000).length;
const failures =
  SERVER_KILLS - cleaned.length + (SERVER_KILLS - served.length) + late + (KEEPER_KILLS - keeperGone.length);
const stat = (values: number[]) =>
  values.length
    ? `p50 ${fmt(median(values))} ms, p99 ${fmt(quantile(values, 0.99))} ms, max ${fmt(Math.max(...values))} ms`
    : 'n/a';
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
const body = `## Chaos

\`npm run bench:chaos\` — ${new Date().toISOString().slice(0, 10)}, ${machineLine()}.
One \`tether serve\` (keeper + server) under load: before each kill ${LOAD} streaming runs
(\`spawn-grandchildren\`, \`spawn-setsid-grandchild\`, \`streamer\`, \`ignore-sigterm\`) have their trees up
(median ${median(serverKills.map((k) => k.markedAtKill))} processes carrying the server's marker at the kill).
"Serving" means a new run of a fixture streamed to its \`exit\` through the restarted server.

| claim | goal | Tether | verdict |
| --- | --- | --- | --- |
| ${SERVER_KILLS} × SIGKILL of the server: nothing carrying its marker left | ${SERVER_KILLS} of ${SERVER_KILLS} | ${cleaned.length} of ${SERVER_KILLS}; ${stat(cleaned)} | ${verdict(cleaned.length === SERVER_KILLS)} |
| … and a restarted server serving a run to its end | within 2 s, every time | ${served.length - late} of ${SERVER_KILLS} within 2 s; ${stat(served)} | ${verdict(served.length === SERVER_KILLS && late === 0)} |
| ${KEEPER_KILLS} × SIGKILL of the keeper (a fresh \`tether serve\` each): server and every marked process gone | ${KEEPER_KILLS} of ${KEEPER_KILLS} | ${keeperGone.length} of ${KEEPER_KILLS}; ${stat(keeperGone)} | ${verdict(keeperGone.length === KEEPER_KILLS)} |

There is no baseline here: without the keeper, one SIGKILL of the server leaves every process of every run
running (the keeper section above measures that).
`;
process.stdout.write(body);
writeSection('chaos', body);
process.exitCode = failures > 0 ? 1 : 0;
