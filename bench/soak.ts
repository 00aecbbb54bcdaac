// Soak: N streamed runs through `tether serve` (default 10,000; BENCH_SOAK_RUNS), a seeded mix of the
// process-core fixtures, half the clients resetting the connection at a random moment. Samples the server
// over time into bench/results/soak.csv, renders docs/plots/soak.svg, checks that nothing is left (no
// process carrying the server's marker, no zombies, fds within +5, RSS growth ≤ 20 MB), and writes its
// section of BENCHMARKS.md. Run: npm run bench:soak
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineLine } from './lib/machine.ts';
import { writeSection } from './lib/report.ts';
import { startServe } from './lib/serve-process.ts';
import { runSoak, SOAK_QUIET_MS, soakConfig, soakViolations } from './lib/soak-driver.ts';
import { fmt, median, quantile } from './lib/stats.ts';
import { renderSvgPanels, toCsv } from './lib/svg-plot.ts';

const RUNS = Number(process.env.BENCH_SOAK_RUNS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_SOAK_CONCURRENCY ?? 32);
const SEED = Number(process.env.BENCH_SOAK_SEED ?? 42);
const FIXTURES = fileURLToPath(new URL('../test/fixtures', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const PLOT = fileURLToPath(new URL('../docs/plots/soak.svg', import.meta.url));

// Test hooks on for POST /debug/gc: the RSS verdict compares figures taken after a full GC.
const serve = await startServe(soakConfig(FIXTURES), { env: { TETHER_TEST_HOOKS: '1' } });
let exitCode = 0;
try {
  const serverPid = serve.serverPid();
  if (!serverPid) throw new Error('no server under the keeper');
  const target = {
    url: serve.url,
    serverPid,
    keeperPid: serve.keeperPid,
    marker: serve.markerOf(serverPid),
    gcHook: true,
  };
  const result = await runSoak(target, {
    runs: RUNS,
    concurrency: CONCURRENCY,
    seed: SEED,
    onProgress: (done) => {
      if (done % 500 === 0) process.stderr.write(`${done} `);
    },
  });
  process.stderr.write('\n');
  const violations = soakViolations(result);
  if (violations.length > 0) exitCode = 1;

  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}soak.csv`, toCsv(result.samples as unknown as Record<string, number>[]));
  const s = result.samples;
  mkdirSync(fileURLToPath(new URL('../docs/plots/', import.meta.url)), { recursive: true });
  writeFileSync(
    PLOT,
    renderSvgPanels(
      `Soak: ${RUNS} runs through tether serve, ${CONCURRENCY} at a time (half dropped abruptly)`,
      'seconds',
      s.map((x) => x.t_s),
      [
        { label: 'server RSS', unit: 'MiB', values: s.map((x) => x.rss_mb) },
        { label: 'live children', unit: 'runs', values: s.map((x) => x.live_children) },
        { label: 'server open fds', unit: 'fds', values: s.map((x) => x.fds) },
        {
          label: 'event-loop delay p99 (10 s window)',
          unit: 'ms',
          values: s.map((x) => x.loop_delay_p99_ms),
        },
        { label: 'zombies under server or keeper', unit: 'processes', values: s.map((x) => x.zombies) },
      ],
    ),
  );
  const growthMb = (result.end.rssBytes - result.start.rssBytes) / 2 ** 20;
  const quietGrowthMb = (result.end.quietRssBytes - result.start.quietRssBytes) / 2 ** 20;
  // The trend under load: the median RSS of the second quarter of the samples against the last quarter's.
  const quarter = (q: number) =>
    s.slice(Math.floor((q * s.length) / 4), Math.floor(((q + 1) * s.length) / 4));
  const q2 = median(quarter(1).map((x) => x.rss_mb));
  const q4 = median(quarter(3).map((x) => x.rss_mb));
  const p99s = s.map((x) => x.loop_delay_p99_ms).filter(Number.isFinite);
  const endings = Object.entries(result.endings)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const body = `## Soak

\`BENCH_SOAK_RUNS=${RUNS} npm run bench:soak\` — ${new Date().toISOString().slice(0, 10)}, ${machineLine()}.
${RUNS} streamed runs through \`tether serve\` (keeper + server), ${CONCURRENCY} at a time, seed ${SEED}, a mix of
${soakConfigNames()} (each also in an \`exit\` variant that sets up and exits by itself); half of the clients reset
the connection (RST) 0–300 ms after \`start\`, the rest read to \`exit\` (a 1 s timeout, the 1 MB output cap, or
the program's own exit). Took ${fmt(result.durationS)} s (${fmt(RUNS / result.durationS)} runs/s); ${result.refused}
429 answers were retried. Start figures are taken after 1,000 warm-up runs (they fill the bounded cache of ended runs) and, like the end figures, after ${fmt(SOAK_QUIET_MS / 1000)} s of quiet; the RSS verdict compares
figures taken after a full GC in the server (the test hook \`POST /debug/gc\`), since a quiet heap can be anywhere in its
collection cycle. The quiet figures before that GC are in the row below it.

| claim | goal | Tether | verdict |
| --- | --- | --- | --- |
| processes carrying the server's marker at the end | 0 | ${result.end.marked} | ${verdict(result.end.marked === 0)} |
| zombies under the server or the keeper at the end | 0 | ${result.end.zombies} | ${verdict(result.end.zombies === 0)} |
| server open fds, start → end | within +5 | ${result.start.fds} → ${result.end.fds} | ${verdict(result.end.fds <= result.start.fds + 5)} |
| server RSS growth, start → end | ≤ 20 MB | ${fmt(result.start.rssBytes / 2 ** 20)} → ${fmt(result.end.rssBytes / 2 ** 20)} MiB (${signed(growthMb)}) | ${verdict(growthMb <= 20)} |
| server JS heap in use after a full GC, start → end | (information: what the server retains) | ${mib(result.start.heapBytes)} → ${mib(result.end.heapBytes)} MiB (${signed(((result.end.heapBytes ?? 0) - (result.start.heapBytes ?? 0)) / 2 ** 20)}) | — |
| server RSS growth, start → end, quiet but no GC forced | (information) | ${fmt(result.start.quietRssBytes / 2 ** 20)} → ${fmt(result.end.quietRssBytes / 2 ** 20)} MiB (${signed(quietGrowthMb)}) | — |
| server RSS under load, 2nd quarter → last quarter of the soak (median of the samples) | no upward trend | ${fmt(q2)} → ${fmt(q4)} MiB (${signed(q4 - q2)}) | ${verdict(q4 - q2 <= 20)} |
| runs that failed (no \`exit\`, a refusal other than 429) | 0 | ${result.failures.length} | ${verdict(result.failures.length === 0)} |

Endings: ${endings}. Event-loop delay p99 over the soak (each sample the last 10 s window): median
${fmt(median(p99s))} ms, worst ${fmt(quantile(p99s, 1))} ms. Live children peaked at
${Math.max(...s.map((x) => x.live_children).filter(Number.isFinite))}.

![soak](docs/plots/soak.svg)

The samples (every 250 ms) are in \`bench/results/soak.csv\` after a run.
`;
  process.stdout.write(body);
  if (violations.length > 0)
    process.stderr.write(`soak FAILED: ${violations.join('; ')}\nleft: ${result.leftovers.join('; ')}\n`);
  writeSection('soak', body);
} finally {
  await serve.stop();
}
process.exitCode = exitCode;

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '?' : fmt(bytes / 2 ** 20);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${fmt(value)}`;
}

function soakConfigNames(): string {
  return Object.keys(soakConfig(FIXTURES).backends as object)
    .filter((name) => !name.endsWith('.exit'))
    .map((name) => `\`${name}\``)
    .join(', ');
}
