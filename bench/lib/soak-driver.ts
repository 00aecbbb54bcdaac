import { findOwnedProcesses } from '../../src/process/index.ts';
import { fdsOf, rssOf, zombiesOf } from './proc-sample.ts';
import { seededRandom } from './random.ts';
import { type RunEnding, sseRun } from './sse-run.ts';

/** The process-core fixtures the soak mixes (each also as `<name>.exit`: set up, then exit by itself). */
export const SOAK_FIXTURES = [
  'streamer',
  'ignore-sigterm',
  'spawn-grandchildren',
  'spawn-setsid-grandchild',
  'close-stdout-and-linger',
  'flood-stdout',
  'exit-leaving-zombies',
] as const;

/** The `tether serve` config for a soak: every fixture twice, short timeouts, a 1 MB output cap. */
export function soakConfig(fixturesDir: string): Record<string, unknown> {
  const backends: Record<string, unknown> = {};
  for (const name of SOAK_FIXTURES) {
    const program = `${fixturesDir}/${name}`;
    backends[name] = { type: 'command', argv: [program], input: 'none', output: 'text' };
    backends[`${name}.exit`] = { type: 'command', argv: [program, 'exit'], input: 'none', output: 'text' };
  }
  return {
    limits: {
      max_runs: 64,
      max_runs_per_client: 64,
      queue_size: 256,
      kill_grace_ms: 200,
      max_output_bytes: 1_000_000,
      default_timeout_s: 1,
      shutdown_grace_s: 1,
    },
    backends,
  };
}

export interface SoakTarget {
  readonly url: string;
  readonly serverPid: number;
  readonly keeperPid: number;
  /** The server's own TETHER_OWNER: everything it starts carries it as a prefix. */
  readonly marker: string;
  /** The server has test hooks (TETHER_TEST_HOOKS=1): RSS figures are also taken after a full GC. */
  readonly gcHook?: boolean;
}

export interface SoakOptions {
  readonly runs: number;
  readonly concurrency: number;
  readonly seed: number;
  /**
   * Runs before the start figures are taken (default 1,000: enough to fill the server's bounded caches of
   * ended runs, so what is compared afterwards is growth, not the caches filling).
   */
  readonly warmup?: number;
  /** Quiet time before each RSS figure, so both are taken in the same state (default 3 s). */
  readonly quietMs?: number;
  readonly sampleMs?: number;
  readonly onProgress?: (done: number) => void;
}

export interface SoakSample {
  readonly t_s: number;
  readonly runs_done: number;
  readonly rss_mb: number;
  readonly fds: number;
  readonly live_children: number;
  readonly zombies: number;
  readonly loop_delay_p99_ms: number;
}

export interface MemoryFigures {
  /** After a full GC in the server where it has the hook, else the quiet figure. */
  readonly rssBytes: number;
  /** After the quiet time, before any forced GC. */
  readonly quietRssBytes: number;
  /** The JS heap in use after the full GC (where the server has the hook): what it retains. */
  readonly heapBytes?: number;
}

export interface SoakResult {
  readonly samples: SoakSample[];
  readonly endings: Record<string, number>;
  readonly refused: number;
  readonly failures: string[];
  readonly durationS: number;
  readonly start: MemoryFigures & { readonly fds: number };
  readonly end: MemoryFigures & {
    readonly fds: number;
    readonly marked: number;
    readonly zombies: number;
  };
  /** What was left carrying the marker, if anything: `pid comm state ppid` each. */
  readonly leftovers: string[];
}

/** V8 shrinks an idle heap (its memory reducer) only after several seconds without allocation. */
export const SOAK_QUIET_MS = Number(process.env.BENCH_SOAK_QUIET_MS ?? 15_000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function health(url: string): Promise<{ live: number; p99: number }> {
  try {
    const body = (await (await fetch(`${url}/healthz`)).json()) as {
      children?: { live?: number };
      event_loop_delay_ms?: { p99?: number };
    };
    return { live: body.children?.live ?? Number.NaN, p99: body.event_loop_delay_ms?.p99 ?? Number.NaN };
  } catch {
    return { live: Number.NaN, p99: Number.NaN };
  }
}

async function markedProcesses(target: SoakTarget): Promise<number> {
  return (await findOwnedProcesses(target.marker)).filter((p) => p.pid !== target.serverPid).length;
}

/** The median of five RSS readings 200 ms apart. */
async function steadyRss(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(rssOf(pid));
    await sleep(200);
  }
  return readings.sort((a, b) => a - b)[2] as number;
}

/**
 * RSS once the server has been quiet for `quietMs`, and again after a full GC in the server where it
 * has the test hook: a quiet heap may be anywhere in its collection cycle (tens of MB apart), so the
 * figure after a GC is the one that shows what the server retains.
 */
async function memoryFigures(target: SoakTarget, quietMs: number): Promise<MemoryFigures> {
  await sleep(quietMs);
  const quietRssBytes = await steadyRss(target.serverPid);
  if (!target.gcHook) return { rssBytes: quietRssBytes, quietRssBytes };
  const answer = await fetch(`${target.url}/debug/gc`, { method: 'POST' });
  if (answer.status !== 200) throw new Error(`POST /debug/gc answered ${answer.status}`);
  const after = (await answer.json()) as { heap_used_bytes: number };
  return { rssBytes: await steadyRss(target.serverPid), quietRssBytes, heapBytes: after.heap_used_bytes };
}

/** Polls `probe` until `ok` or the deadline; returns the last value. */
async function settle<T>(
  probe: () => T | Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!ok(value) && Date.now() < deadline) {
    await sleep(100);
    value = await probe();
  }
  return value;
}

/**
 * Drives `runs` streamed runs through a running `tether serve`, `concurrency` at a time: a seeded mix
 * of the fixtures, half of the clients resetting the connection at a random moment, the rest reading
 * to `exit` (a timeout, an output cap, or the program's own exit). Samples the server while it runs and
 * checks, at the end, that nothing carrying its marker is left, no zombies, fds and RSS back.
 */
export async function runSoak(target: SoakTarget, options: SoakOptions): Promise<SoakResult> {
  const random = seededRandom(options.seed);
  const endings: Record<string, number> = {};
  const failures: string[] = [];
  let refused = 0;
  let done = 0;
  const oneRun = async (): Promise<void> => {
    const base = SOAK_FIXTURES[Math.floor(random() * SOAK_FIXTURES.length)] as string;
    const backend = random() < 0.5 ? base : `${base}.exit`;
    const drop = random() < 0.5;
    const dropAfterMs = drop ? Math.floor(random() * 300) : undefined;
    for (let attempt = 0; ; attempt++) {
      const ending: RunEnding = await sseRun(
        target.url,
        { backend, prompt: '', options: { timeout_s: 1 } },
        { dropAfterMs },
      );
      if (ending.kind === 'refused' && ending.status === 429 && attempt < 50) {
        refused++;
        await sleep(20);
        continue;
      }
      const key = ending.kind === 'exit' ? ending.reason : ending.kind;
      endings[key] = (endings[key] ?? 0) + 1;
      if (ending.kind === 'failed' || ending.kind === 'refused')
        failures.push(`${backend}: ${JSON.stringify(ending)}`);
      break;
    }
    done++;
    options.onProgress?.(done);
  };
  const pool = async (count: number): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(options.concurrency, count) }, async () => {
        while (next < count) {
          next++;
          await oneRun();
        }
      }),
    );
  };

  await pool(options.warmup ?? 1000);
  await settle(
    () => markedProcesses(target),
    (n) => n === 0,
    10_000,
  );
  const start = {
    ...(await memoryFigures(target, options.quietMs ?? SOAK_QUIET_MS)),
    fds: fdsOf(target.serverPid),
  };
  done = 0;
  const samples: SoakSample[] = [];
  const began = performance.now();
  const sample = async (): Promise<void> => {
    const h = await health(target.url);
    samples.push({
      t_s: Math.round(performance.now() - began) / 1000,
      runs_done: done,
      rss_mb: Math.round((rssOf(target.serverPid) / 2 ** 20) * 10) / 10,
      fds: fdsOf(target.serverPid),
      live_children: h.live,
      zombies: zombiesOf([target.serverPid, target.keeperPid]).length,
      loop_delay_p99_ms: h.p99,
    });
  };
  await sample();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sleep(options.sampleMs ?? 250);
      await sample();
    }
  })();
  await pool(options.runs);
  const durationS = (performance.now() - began) / 1000;
  const marked = await settle(
    () => markedProcesses(target),
    (n) => n === 0,
    10_000,
  );
  const leftovers = (await findOwnedProcesses(target.marker))
    .filter((p) => p.pid !== target.serverPid)
    .map((p) => `${p.pid} ${p.comm} ${p.state} ppid ${p.ppid}`);
  const zombies = await settle(
    () => zombiesOf([target.serverPid, target.keeperPid]).length,
    (n) => n === 0,
    5000,
  );
  const fds = await settle(
    () => fdsOf(target.serverPid),
    (n) => n <= start.fds + 5,
    5000,
  );
  sampling = false;
  await sampler;
  await sample();
  return {
    samples,
    endings,
    refused,
    failures,
    durationS,
    start,
    end: { ...(await memoryFigures(target, options.quietMs ?? SOAK_QUIET_MS)), fds, marked, zombies },
    leftovers,
  };
}

/** The soak's pass conditions; an empty list means it passed. */
export function soakViolations(result: SoakResult, maxRssGrowthBytes = 20 * 2 ** 20): string[] {
  const violations: string[] = [];
  if (result.end.marked !== 0)
    violations.push(`${result.end.marked} process(es) carrying the server's marker left`);
  if (result.end.zombies !== 0) violations.push(`${result.end.zombies} zombie(s) under the server or keeper`);
  if (result.end.fds > result.start.fds + 5)
    violations.push(`server fds ${result.start.fds} → ${result.end.fds}`);
  const growth = result.end.rssBytes - result.start.rssBytes;
  if (growth > maxRssGrowthBytes) violations.push(`server RSS grew ${(growth / 2 ** 20).toFixed(1)} MB`);
  if (result.failures.length > 0)
    violations.push(`${result.failures.length} failed run(s): ${result.failures.slice(0, 3).join('; ')}`);
  return violations;
}
