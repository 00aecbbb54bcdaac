// Process-core benchmarks: teardown latency and spawn → first byte → close cycle rate against raw
// child_process in the same run. Writes its section of BENCHMARKS.md. Run: npm run bench:core
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { defaultRegistry, isGone, readIdentity, spawnProcess, ZombieReaper } from '../src/process/index.ts';
import { machineLine } from './lib/machine.ts';
import { writeSection } from './lib/report.ts';
import { fmt, median, quantile } from './lib/stats.ts';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TEARDOWN_TRIALS = Number(process.env.BENCH_TEARDOWN_TRIALS ?? 100);
const STUBBORN_TRIALS = Number(process.env.BENCH_STUBBORN_TRIALS ?? 20);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 200);
const STUBBORN_GRACE_MS = 100;

const reaper = new ZombieReaper({ intervalMs: 20, isOwnChild: (pid) => defaultRegistry.has(pid) });
await reaper.start({ subreaper: true });

function waitForText(stream: NodeJS.ReadableStream, needle: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      if (text.includes(needle)) {
        stream.off('data', onData);
        stream.resume();
        resolve(text);
      }
    };
    stream.on('data', onData);
  });
}

/** close() called → every identity of the tree gone, in ms, per trial. */
async function teardownLatencies(fixture: string, trials: number, graceMs: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < trials; i++) {
    const child = await spawnProcess({ argv: [`${FIXTURES}${fixture}`], graceMs });
    const text = await waitForText(child.stdout, 'ready');
    const witnesses = [child.pid, ...[...text.matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]))]
      .map((pid) => readIdentity(pid))
      .filter((id) => id !== undefined);
    const started = performance.now();
    const report = await child.close('cancelled');
    latencies.push(performance.now() - started);
    if (report.survivors > 0 || witnesses.some((id) => !isGone(id)))
      throw new Error(`trial ${i}: a process survived`);
  }
  return latencies;
}

/** Cycles per second of spawn → first stdout byte → end, through Tether. */
async function tetherCycleRate(cycles: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < cycles; i++) {
    const child = await spawnProcess({ argv: [`${FIXTURES}hang-after-final-line`] });
    await once(child.stdout, 'data');
    child.stdout.resume();
    await child.close('cancelled');
  }
  return cycles / ((performance.now() - started) / 1000);
}

/** The same cycle with raw child_process.spawn and kill() of the root, waiting for its exit. */
async function rawCycleRate(cycles: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < cycles; i++) {
    const child = spawn(`${FIXTURES}hang-after-final-line`, [], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.resume();
    await once(child.stdout, 'data');
    child.stdout.resume();
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  return cycles / ((performance.now() - started) / 1000);
}

const cooperative = { p50: [] as number[], p99: [] as number[] };
const stubborn = { p50: [] as number[], p99: [] as number[] };
const rates = { tether: [] as number[], raw: [] as number[], ratio: [] as number[] };
for (let run = 0; run < RUNS; run++) {
  const coop = await teardownLatencies('cooperative-tree', TEARDOWN_TRIALS, 2000);
  cooperative.p50.push(quantile(coop, 0.5));
  cooperative.p99.push(quantile(coop, 0.99));
  const stub = await teardownLatencies('ignore-sigterm', STUBBORN_TRIALS, STUBBORN_GRACE_MS);
  stubborn.p50.push(quantile(stub, 0.5));
  stubborn.p99.push(quantile(stub, 0.99));
  const raw = await rawCycleRate(CYCLES);
  const tether = await tetherCycleRate(CYCLES);
  rates.raw.push(raw);
  rates.tether.push(tether);
  rates.ratio.push(tether / raw);
  console.log(
    `run ${run + 1}/${RUNS}: cooperative p50 ${fmt(quantile(coop, 0.5))} ms p99 ${fmt(quantile(coop, 0.99))} ms; ` +
      `ignore-sigterm p50 ${fmt(quantile(stub, 0.5))} ms; cycles tether ${fmt(tether, 0)}/s raw ${fmt(raw, 0)}/s (${fmt((100 * tether) / raw, 0)} %)`,
  );
}
reaper.stop();

const coopP99 = median(cooperative.p99);
const ratio = median(rates.ratio);
const verdict = (ok: boolean): string => (ok ? 'met' : '**not met**');
writeSection(
  'process-core',
  `## Process core (issue 2)

Command: \`npm run bench:core\` (\`BENCH_RUNS=${RUNS}\`, ${TEARDOWN_TRIALS} cooperative and ${STUBBORN_TRIALS} ignore-sigterm
teardowns and ${CYCLES} cycles of each kind per run). Date: ${new Date().toISOString().slice(0, 10)}. Machine: ${machineLine()}.
Each figure is the median over ${RUNS} runs of that run's statistic.

| claim | goal | Tether | baseline (same run) | ratio | verdict |
| --- | --- | --- | --- | --- | --- |
| teardown, cooperative tree + setsid escapee (\`cooperative-tree\`: root, 2 grandchildren, 1 escapee), close() → every identity gone | p99 ≤ 25 ms | p50 ${fmt(median(cooperative.p50))} ms, p99 ${fmt(coopP99)} ms | — | — | ${verdict(coopP99 <= 25)} |
| teardown, \`ignore-sigterm\` with a ${STUBBORN_GRACE_MS} ms grace | grace + a little | p50 ${fmt(median(stubborn.p50))} ms, p99 ${fmt(median(stubborn.p99))} ms (after the grace: p50 ${fmt(median(stubborn.p50) - STUBBORN_GRACE_MS)} ms, p99 ${fmt(median(stubborn.p99) - STUBBORN_GRACE_MS)} ms) | — | — | — |
| spawn → first byte → close cycle rate (\`hang-after-final-line\`) | ≥ 80 % of raw | ${fmt(median(rates.tether), 0)} cycles/s | raw \`child_process.spawn\` + \`kill()\` + exit: ${fmt(median(rates.raw), 0)} cycles/s | ${fmt(100 * ratio, 0)} % (runs: ${rates.ratio.map((r) => fmt(100 * r, 0)).join(', ')} %) | ${verdict(ratio >= 0.8)} |

The raw baseline kills only the root and does not look for descendants; Tether's teardown also takes two \`/proc\`
scans (ancestry and marker: one before SIGTERM, one to verify nothing of the tree runs) and waits on identities,
which is the price of finding escapees. On this shared 2-core machine the per-run ratio swings by ±10 points.
`,
);
console.log('wrote the process-core section of BENCHMARKS.md');
