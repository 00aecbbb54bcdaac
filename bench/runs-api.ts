// Runs API benchmarks against raw child_process in the same run: request → first byte, SSE throughput of a
// flooding child, and 100/500/1,000 concurrent streaming runs (event-loop delay p99, server RSS per run).
// The clients run in their own process (bench/lib/runs-client.ts). Writes its section of BENCHMARKS.md.
// Run: npm run bench:runs
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS, DEFAULT_SERVER, type TetherConfig } from '../src/config/schema.ts';
import {
  defaultRegistry,
  ProcessRegistry,
  type SupervisedChild,
  spawnProcess,
  ZombieReaper,
} from '../src/process/index.ts';
import { startServer } from '../src/server/server.ts';
import { machineLine } from './lib/machine.ts';
import { writeSection } from './lib/report.ts';
import { fmt, median } from './lib/stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LEVEL_RUNS = Number(process.env.BENCH_LEVEL_RUNS ?? 3);
const LEVELS = (process.env.BENCH_LEVELS ?? '100,500,1000').split(',').map(Number);
const LATENCY_TRIALS = Number(process.env.BENCH_LATENCY_TRIALS ?? 40);
const FLOOD_BYTES = Number(process.env.BENCH_FLOOD_BYTES ?? 50_000_000);
const HOLD_MS = 3000;
const CLIENT = fileURLToPath(new URL('./lib/runs-client.ts', import.meta.url));
const LINE = '0123456789'.repeat(7);
const ECHO = ['/bin/echo', 'hello'];
const FLOOD = ['/bin/sh', '-c', `yes ${LINE} | head -c ${FLOOD_BYTES}`];
// One line every 250 ms from one small process (bash's read -t on a pipe it holds open: no fork per line).
const TICK = ['/bin/bash', '-c', 'exec 9<> <(:); while :; do echo tick; read -t 0.25 -u 9; done'];

const reaper = new ZombieReaper({ intervalMs: 50, isOwnChild: (pid) => defaultRegistry.has(pid) });
await reaper.start({ subreaper: true });

const command = (argv: string[]) => ({
  type: 'command' as const,
  argv,
  input: 'none' as const,
  output: 'text' as const,
  env: [],
});
const config: TetherConfig = {
  server: { ...DEFAULT_SERVER, port: 0 },
  limits: {
    ...DEFAULT_LIMITS,
    maxRuns: 2000,
    maxRunsPerClient: 2000,
    maxOutputBytes: 4 * FLOOD_BYTES,
    killGraceMs: 500,
    shutdownGraceS: 0,
  },
  workspaces: { roots: [process.cwd()] },
  backends: { echo: command(ECHO), flood: command(FLOOD), tick: command(TICK) },
};
const server = await startServer(config);
const clientRegistry = new ProcessRegistry();

/** Starts the client process; resolves its stdout JSON lines as they come. */
async function client(
  args: string[],
): Promise<{ child: SupervisedChild; next: () => Promise<Record<string, unknown>> }> {
  const child = await spawnProcess({
    argv: [process.execPath, '--import', 'tsx', CLIENT, args[0] as string, server.url, ...args.slice(1)],
    stdin: 'pipe',
    registry: clientRegistry,
  });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const next = (): Promise<Record<string, unknown>> => {
    const line = lines.shift();
    if (line !== undefined) return Promise.resolve(JSON.parse(line));
    return new Promise((resolve, reject) => {
      waiters.push((l) => resolve(JSON.parse(l)));
      void child.exited.then(() =>
        reject(new Error(`client ${args[0]} exited: ${child.stderrLines().join('\n')}`)),
      );
    });
  };
  return { child, next };
}

async function rawFirstByte(): Promise<number> {
  const started = performance.now();
  const child = spawn(ECHO[0] as string, ECHO.slice(1));
  await once(child.stdout, 'data');
  const ms = performance.now() - started;
  await once(child, 'close');
  return ms;
}

async function rawFlood(): Promise<{ bytes: number; ms: number }> {
  const started = performance.now();
  const child = spawn(FLOOD[0] as string, FLOOD.slice(1));
  let bytes = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    bytes += chunk.length;
  });
  await once(child, 'close');
  return { bytes, ms: performance.now() - started };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const latency = {
  raw: [] as number[],
  firstByte: [] as number[],
  firstOutput: [] as number[],
  ratio: [] as number[],
};
const throughput = { raw: [] as number[], tether: [] as number[], ratio: [] as number[] };
for (let run = 0; run < RUNS; run++) {
  const raw: number[] = [];
  for (let i = 0; i < LATENCY_TRIALS; i++) raw.push(await rawFirstByte());
  const c = await client(['latency', 'echo', String(LATENCY_TRIALS)]);
  const result = (await c.next()) as { firstByte: number[]; firstOutput: number[] };
  await c.child.done;
  latency.raw.push(median(raw));
  latency.firstByte.push(median(result.firstByte));
  latency.firstOutput.push(median(result.firstOutput));
  latency.ratio.push(median(result.firstOutput) / median(raw));

  const rawResult = await rawFlood();
  const f = await client(['flood', 'flood']);
  const flood = (await f.next()) as { bytes: number; ms: number };
  await f.child.done;
  if (flood.bytes !== FLOOD_BYTES || rawResult.bytes !== FLOOD_BYTES)
    throw new Error(`flood lost bytes: tether ${flood.bytes}, raw ${rawResult.bytes}`);
  const mbps = (r: { bytes: number; ms: number }): number => r.bytes / 1e6 / (r.ms / 1000);
  throughput.raw.push(mbps(rawResult));
  throughput.tether.push(mbps(flood));
  throughput.ratio.push(mbps(flood) / mbps(rawResult));
  console.log(
    `run ${run + 1}/${RUNS}: first output ${fmt(median(result.firstOutput), 2)} ms vs raw ${fmt(median(raw), 2)} ms ` +
      `(${fmt(latency.ratio.at(-1) as number, 2)}×); flood ${fmt(mbps(flood), 0)} MB/s vs raw ${fmt(mbps(rawResult), 0)} MB/s`,
  );
}

interface LevelResult {
  p99: number[];
  rampP99: number[];
  rssPerRunKb: number[];
  rampMs: number[];
  teardownMs: number[];
}
const levels = new Map<number, LevelResult>();
for (const level of LEVELS)
  levels.set(level, { p99: [], rampP99: [], rssPerRunKb: [], rampMs: [], teardownMs: [] });
for (let run = 0; run < LEVEL_RUNS; run++) {
  for (const level of LEVELS) {
    const result = levels.get(level) as LevelResult;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const rssBefore = process.memoryUsage.rss();
    const ramp = monitorEventLoopDelay({ resolution: 10 });
    ramp.enable();
    const started = performance.now();
    const c = await client(['hold', 'tick', String(level)]);
    await c.next();
    ramp.disable();
    result.rampMs.push(performance.now() - started);
    result.rampP99.push(ramp.percentile(99) / 1e6);
    if (server.manager.live !== level)
      throw new Error(`expected ${level} live runs, found ${server.manager.live}`);
    const steady = monitorEventLoopDelay({ resolution: 10 });
    steady.enable();
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    steady.disable();
    result.p99.push(steady.percentile(99) / 1e6);
    result.rssPerRunKb.push((process.memoryUsage.rss() - rssBefore) / level / 1024);
    const closing = performance.now();
    c.child.stdin?.end();
    await c.child.done;
    await until(() => server.manager.live === 0 && server.registry.size === 0, 120_000, 'every run to end');
    result.teardownMs.push(performance.now() - closing);
    console.log(
      `level ${level} (${run + 1}/${LEVEL_RUNS}): ramp ${fmt(result.rampMs.at(-1) as number, 0)} ms, ` +
        `steady loop delay p99 ${fmt(result.p99.at(-1) as number, 1)} ms (ramp ${fmt(result.rampP99.at(-1) as number, 1)} ms), ` +
        `RSS ${fmt(result.rssPerRunKb.at(-1) as number, 0)} KB/run, all ${level} trees gone ${fmt(result.teardownMs.at(-1) as number, 0)} ms after the clients left`,
    );
  }
}
await server.close();
reaper.stop();

const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');
const firstRatio = median(latency.ratio);
const floodRatio = median(throughput.ratio);
const rows = LEVELS.map((level) => {
  const r = levels.get(level) as LevelResult;
  const p99 = median(r.p99);
  const rss = median(r.rssPerRunKb);
  const target =
    level === 1000 ? `p99 < 50 ms: ${verdict(p99 < 50)}; ≤ 150 KB/run: ${verdict(rss <= 150)}` : '';
  return `| ${level} | ${fmt(p99, 1)} ms | ${fmt(median(r.rampP99), 1)} ms | ${fmt(rss, 0)} KB | ${fmt(median(r.rampMs), 0)} ms | ${fmt(median(r.teardownMs), 0)} ms | ${target} |`;
});
writeSection(
  'runs-api',
  `## Runs API (HTTP + SSE)

Command: \`npm run bench:runs\` (\`BENCH_RUNS=${RUNS}\`, \`BENCH_LEVEL_RUNS=${LEVEL_RUNS}\`), ${new Date().toISOString().slice(0, 10)}.
Machine: ${machineLine()}. The server runs in the benchmark process on 127.0.0.1; its clients run in a separate
Node process (\`bench/lib/runs-client.ts\`, keep-alive \`node:http\`), so the event loop and RSS measured are the
server's. Each figure is the median over the runs of that run's median.

| measure | target | Tether | raw baseline, same run | ratio | |
| --- | --- | --- | --- | --- | --- |
| \`POST /v1/runs\` (SSE) → first \`stdout\` event at the client, \`/bin/echo hello\` (${LATENCY_TRIALS} sequential requests per run) | ≤ 1.3× | ${fmt(median(latency.firstOutput), 2)} ms (first response byte, the \`start\` event: ${fmt(median(latency.firstByte), 2)} ms) | \`child_process.spawn\` → first stdout byte: ${fmt(median(latency.raw), 2)} ms | ${fmt(firstRatio, 2)}× (runs: ${latency.ratio.map((r) => fmt(r, 2)).join(', ')}) | ${verdict(firstRatio <= 1.3)} |
| SSE throughput of a flooding child (\`yes … \\| head -c ${FLOOD_BYTES / 1e6}MB\`), payload bytes decoded at the client | ≥ 50 % | ${fmt(median(throughput.tether), 0)} MB/s | raw pipe read: ${fmt(median(throughput.raw), 0)} MB/s | ${fmt(100 * floodRatio, 0)} % (runs: ${throughput.ratio.map((r) => fmt(100 * r, 0)).join(', ')} %) | ${verdict(floodRatio >= 0.5)} |

Concurrent streaming runs: each run is one \`bash\` printing a line every 250 ms; every stream stays attached
for ${HOLD_MS / 1000} s, then the client drops every connection and each tree is ended (reason \`disconnected\`).

| runs | event-loop delay p99, steady | p99 while ramping up | server RSS per run (children excluded) | ramp (all streaming) | all trees gone after the clients left | targets at 1,000 |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Where the time went before the scanner changes of 2026-11-22 (marker index per scan; concurrent fresh scans share
one walk of /proc), which took the 1,000 level from a 58 ms p99 and 21 s to end every tree to the figures above
(a CPU profile of the 1,000 level then): synchronous \`fork\` in
\`ChildProcess.spawn\` (≈ 23 % of samples; each spawn blocks the loop for milliseconds once the server has
a thousand children, hence the ramp-up delay) and the process core's \`/proc\` tracking scans (\`open\`/\`read\`/
\`readdir\`/\`close\`, environ marker checks, tree refresh: ≈ 50 %). The HTTP/SSE layer itself (\`writev\`,
string encoding) is ≈ 4 %. The first-byte ratio is mostly the hop to a client in another process on a
2-core machine shared with the child: with the client in the server's process the same path measured
≈ 3.0 ms against 2.25 ms raw (1.35×). Throughput is bound by one core doing decode → JSON → encode of
every byte while the client, \`yes\` and \`head\` share the other.
`,
);
console.log('wrote the runs-api section of BENCHMARKS.md');
