import type { LeakedProcess } from './leaks.ts';
import type { DelayPercentiles } from './loop-delay.ts';
import type { MemoryStatus } from './memory/monitor.ts';

/** The body of GET /healthz (snake_case on the wire, like the rest of the API). */
export interface HealthBody {
  readonly status: 'ok' | 'unhealthy';
  /** Why the status is `unhealthy` (empty when ok). */
  readonly reasons: readonly string[];
  readonly pid: number;
  readonly keeper: { readonly pid: number; readonly alive: boolean } | null;
  readonly uptime_s: number;
  readonly rss_bytes: number;
  readonly heap_bytes: number;
  readonly open_fds: number;
  readonly event_loop: 'ok' | 'stalled';
  readonly event_loop_lag_ms: number;
  readonly event_loop_delay_ms: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly event_loop_stalled_s_total: number;
  readonly children: { readonly live: number; readonly by_backend: Readonly<Record<string, number>> };
  readonly busy: boolean;
  readonly queued: number;
  readonly draining: boolean;
  readonly leaked: number;
  readonly leaks: {
    readonly unowned: readonly LeakedProcess[];
    readonly zombies: readonly number[];
    readonly since_ms: number;
  };
  readonly memory: {
    readonly enabled: boolean;
    readonly cgroup: 'v1' | 'v2' | null;
    readonly used_bytes: number | null;
    readonly working_set_bytes: number | null;
    readonly limit_bytes: number | null;
    readonly high_water_bytes: number | null;
    readonly low_water_bytes: number | null;
    readonly above_high_water: boolean;
    readonly oom_kills: number | null;
  };
  readonly version: string;
}

/** The body of GET /readyz. */
export interface ReadyBody {
  readonly status: 'ready' | 'not_ready';
  /** `draining`, `at_capacity`, `memory_high_water`, `event_loop_stalled` (empty when ready). */
  readonly reasons: readonly string[];
}

export function memoryBody(status: MemoryStatus): HealthBody['memory'] {
  return {
    enabled: status.enabled,
    cgroup: status.cgroup,
    used_bytes: status.usedBytes,
    working_set_bytes: status.workingSetBytes,
    limit_bytes: status.limitBytes,
    high_water_bytes: status.highWaterBytes,
    low_water_bytes: status.lowWaterBytes,
    above_high_water: status.aboveHighWater,
    oom_kills: status.oomKills,
  };
}

export function delayBody(delay: DelayPercentiles): HealthBody['event_loop_delay_ms'] {
  return { p50: delay.p50, p99: delay.p99, max: delay.max };
}
