import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ProcessRegistry } from '../process/index.ts';
import type { HealthMonitor, WorkView } from './monitor.ts';

export interface MetricsSources {
  readonly registry: ProcessRegistry;
  readonly monitor: HealthMonitor;
  readonly work: () => WorkView;
  /** Zombies reaped for this server so far (its own reaper and the keeper's). */
  readonly zombiesReaped: () => number;
}

/** Seconds: from a 10 ms run to a one-hour agent session. */
const RUN_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];
/** Seconds: teardowns are milliseconds unless something ignores SIGTERM and waits out the grace. */
const TEARDOWN_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics for one server: Node's process defaults plus Tether's own (`tether_*`). Gauges
 * read their sources at scrape time; counters that mirror a running total elsewhere add the
 * difference at scrape time. close() is idempotent.
 */
export class Metrics {
  readonly register = new Registry();
  readonly #runs: Counter<'backend' | 'reason'>;
  readonly #runDuration: Histogram<'backend'>;
  readonly #http: Counter<'route' | 'method' | 'status'>;
  readonly #unsubscribe: () => void;

  constructor(sources: MetricsSources) {
    const registers = [this.register];
    collectDefaultMetrics({ register: this.register });
    new Gauge({
      name: 'tether_children_live',
      help: 'Supervised children whose tree is still running, by backend.',
      labelNames: ['backend'],
      registers,
      collect() {
        this.reset();
        for (const [backend, n] of Object.entries(sources.registry.counts().byLabel))
          this.set({ backend }, n);
      },
    });
    this.#runs = new Counter({
      name: 'tether_runs_total',
      help: 'Runs that ended, by backend and exit reason.',
      labelNames: ['backend', 'reason'],
      registers,
    });
    this.#runDuration = new Histogram({
      name: 'tether_run_duration_seconds',
      help: 'From run creation to its end (tree gone).',
      labelNames: ['backend'],
      buckets: RUN_BUCKETS,
      registers,
    });
    const teardown = new Histogram({
      name: 'tether_teardown_duration_seconds',
      help: 'From the end request (or the root exit) to the last process of the tree gone.',
      buckets: TEARDOWN_BUCKETS,
      registers,
    });
    this.#unsubscribe = sources.registry.onRemoved((_child, report) =>
      teardown.observe(report.durationMs / 1000),
    );
    mirrorCounter(
      registers,
      'tether_escapees_killed_total',
      'Descendants and setsid escapees that teardowns had to end.',
      () => sources.registry.counts().escapeesKilled,
    );
    mirrorCounter(
      registers,
      'tether_teardowns_forced_total',
      'Teardowns that needed SIGKILL.',
      () => sources.registry.counts().forced,
    );
    mirrorCounter(
      registers,
      'tether_zombies_reaped_total',
      'Orphaned zombies reaped for this server (its own reaper and the keeper).',
      sources.zombiesReaped,
    );
    mirrorCounter(
      registers,
      'tether_event_loop_stall_seconds_total',
      'Seconds the main event loop spent in stalls (heartbeat gaps over 500 ms).',
      () => sources.monitor.heartbeat.stalledSeconds,
    );
    gauge(
      registers,
      'tether_event_loop_lag_seconds',
      'Age of the main loop heartbeat at scrape time.',
      () => sources.monitor.heartbeat.ageMs() / 1000,
    );
    gauge(
      registers,
      'tether_memory_used_bytes',
      'Working set of the memory cgroup (used minus inactive file cache); NaN when unreadable.',
      () => sources.monitor.memory.status().workingSetBytes ?? Number.NaN,
    );
    gauge(
      registers,
      'tether_memory_limit_bytes',
      'Limit of the memory cgroup; NaN when unlimited or unreadable.',
      () => sources.monitor.memory.status().limitBytes ?? Number.NaN,
    );
    gauge(
      registers,
      'tether_memory_above_high_water',
      '1 while memory is above the high-water mark (not ready).',
      () => (sources.monitor.memory.aboveHighWater ? 1 : 0),
    );
    gauge(registers, 'tether_queue_depth', 'Run requests waiting for a slot.', () => sources.work().queued);
    gauge(
      registers,
      'tether_leaked_processes',
      'Marked processes no owner claims plus unreaped zombie children (should be 0).',
      () => sources.monitor.leaks.last.count,
    );
    this.#http = new Counter({
      name: 'tether_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
  }

  runEnded(backend: string, reason: string, durationMs: number): void {
    this.#runs.inc({ backend, reason });
    this.#runDuration.observe({ backend }, durationMs / 1000);
  }

  httpRequest(route: string, method: string, status: number): void {
    this.#http.inc({ route, method, status: String(status) });
  }

  get contentType(): string {
    return this.register.contentType;
  }

  text(): Promise<string> {
    return this.register.metrics();
  }

  /** Idempotent. */
  close(): void {
    this.#unsubscribe();
  }
}

function gauge(registers: Registry[], name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}

/** A counter that follows a running total kept elsewhere: each scrape adds what it grew by. */
function mirrorCounter(registers: Registry[], name: string, help: string, read: () => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers,
    collect() {
      const now = read();
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}
