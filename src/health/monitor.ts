import { readdirSync } from 'node:fs';
import { isRunning, type ProcessIdentity, type ProcessRegistry, readIdentity } from '../process/index.ts';
import { KEEPER_PID_ENV } from '../process/keeper-watch.ts';
import { TETHER_VERSION } from '../version.ts';
import { Heartbeat } from './heartbeat.ts';
import { LeakWatch } from './leaks.ts';
import { LoopDelay } from './loop-delay.ts';
import { detectCgroupMemory } from './memory/cgroup.ts';
import { MemoryMonitor, type MemoryMonitorOptions } from './memory/monitor.ts';
import { delayBody, type HealthBody, memoryBody, type ReadyBody } from './snapshot.ts';

/** What the health monitor needs to know about the work in flight (the run manager provides it). */
export interface WorkView {
  readonly busy: boolean;
  readonly queued: number;
  readonly draining: boolean;
  readonly atCapacity: boolean;
}

export interface HealthSettings {
  /** The heartbeat older than this is a stalled loop: liveness 503 (default 30 s). */
  readonly stallThresholdMs: number;
  /** Leaks above zero for longer than this: liveness 503 (default 30 s). */
  readonly leakGraceMs: number;
  readonly heartbeatIntervalMs: number;
  readonly leakCheckIntervalMs: number;
  readonly memory: Pick<MemoryMonitorOptions, 'highWater' | 'lowWater' | 'intervalMs'>;
}

export const DEFAULT_HEALTH: HealthSettings = {
  stallThresholdMs: 30_000,
  leakGraceMs: 30_000,
  heartbeatIntervalMs: 100,
  leakCheckIntervalMs: 2000,
  memory: { highWater: 0.9, lowWater: 0.8, intervalMs: 5000 },
};

export interface HealthMonitorOptions {
  readonly registry: ProcessRegistry;
  readonly work: () => WorkView;
  readonly settings?: HealthSettings;
  readonly log: MemoryMonitorOptions['log'];
  /** Overrides cgroup detection (fixtures in tests). */
  readonly cgroup?: MemoryMonitorOptions['cgroup'];
}

/**
 * The truth about this server for a watchdog: liveness (heartbeat, loop delay, leaks, memory,
 * children) and readiness (draining, capacity, memory). Owns the heartbeat, the loop-delay
 * histogram, the memory monitor and the leak watch; close() is idempotent.
 */
export class HealthMonitor {
  readonly heartbeat: Heartbeat;
  readonly loopDelay = new LoopDelay();
  readonly memory: MemoryMonitor;
  readonly leaks: LeakWatch;
  readonly settings: HealthSettings;
  readonly #options: HealthMonitorOptions;
  readonly #keeper: ProcessIdentity | undefined;
  readonly #startedAt = Date.now();

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
    this.settings = options.settings ?? DEFAULT_HEALTH;
    this.heartbeat = new Heartbeat({ intervalMs: this.settings.heartbeatIntervalMs });
    this.memory = new MemoryMonitor({
      cgroup: 'cgroup' in options ? options.cgroup : detectCgroupMemory(),
      ...this.settings.memory,
      log: options.log,
    });
    this.leaks = new LeakWatch({ registry: options.registry, intervalMs: this.settings.leakCheckIntervalMs });
    const keeperPid = Number(process.env[KEEPER_PID_ENV]);
    this.#keeper = Number.isInteger(keeperPid) && keeperPid > 0 ? readIdentity(keeperPid) : undefined;
  }

  start(): void {
    this.heartbeat.start();
    this.loopDelay.start();
    this.memory.start();
    this.leaks.start();
  }

  /** Idempotent. */
  close(): void {
    this.heartbeat.close();
    this.loopDelay.close();
    this.memory.close();
    this.leaks.close();
  }

  liveness(): HealthBody {
    const lag = Math.round(this.heartbeat.ageMs());
    const stalled = lag > this.settings.stallThresholdMs;
    const leaks = this.leaks.last;
    const work = this.#options.work();
    const counts = this.#options.registry.counts();
    const memory = process.memoryUsage();
    const reasons: string[] = [];
    if (stalled) reasons.push(`event loop stalled for ${lag} ms`);
    if (leaks.count > 0 && leaks.sinceMs > this.settings.leakGraceMs)
      reasons.push(`${leaks.count} leaked process(es) for ${Math.round(leaks.sinceMs / 1000)} s`);
    const keeperPid = Number(process.env[KEEPER_PID_ENV]);
    return {
      status: reasons.length === 0 ? 'ok' : 'unhealthy',
      reasons,
      pid: process.pid,
      keeper:
        Number.isInteger(keeperPid) && keeperPid > 0
          ? { pid: keeperPid, alive: this.#keeper !== undefined && isRunning(this.#keeper) }
          : null,
      uptime_s: Math.round((Date.now() - this.#startedAt) / 100) / 10,
      rss_bytes: memory.rss,
      heap_bytes: memory.heapUsed,
      open_fds: openFds(),
      event_loop: stalled ? 'stalled' : 'ok',
      event_loop_lag_ms: lag,
      event_loop_delay_ms: delayBody(this.loopDelay.percentiles()),
      event_loop_stalled_s_total: Math.round(this.heartbeat.stalledSeconds * 1000) / 1000,
      children: { live: counts.live, by_backend: counts.byLabel },
      busy: work.busy,
      queued: work.queued,
      draining: work.draining,
      leaked: leaks.count,
      leaks: { unowned: leaks.unowned, zombies: leaks.zombies, since_ms: leaks.sinceMs },
      memory: memoryBody(this.memory.status()),
      version: TETHER_VERSION,
    };
  }

  readiness(): ReadyBody {
    const work = this.#options.work();
    const reasons: string[] = [];
    if (work.draining) reasons.push('draining');
    if (work.atCapacity) reasons.push('at_capacity');
    if (this.memory.aboveHighWater) reasons.push('memory_high_water');
    if (this.heartbeat.ageMs() > this.settings.stallThresholdMs) reasons.push('event_loop_stalled');
    return { status: reasons.length === 0 ? 'ready' : 'not_ready', reasons };
  }
}

/** Open file descriptors of this process (the directory listing's own fd excluded). */
export function openFds(): number {
  try {
    return Math.max(0, readdirSync('/proc/self/fd').length - 1);
  } catch {
    return -1;
  }
}
