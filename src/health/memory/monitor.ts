import { totalmem } from 'node:os';
import { type CgroupMemory, type MemoryReading, readCgroupMemory } from './cgroup.ts';

/** A threshold as a fraction of the limit (0 < x ≤ 1) or as absolute bytes (x > 1). */
export type MemoryThreshold = number;

export interface MemoryMonitorOptions {
  /** The cgroup to watch; undefined when none was found (the monitor then disables itself). */
  readonly cgroup: CgroupMemory | undefined;
  /** Above this the server is not ready (default 0.9). */
  readonly highWater?: MemoryThreshold;
  /** Back below this it is ready again (default 0.8); between the two nothing changes. */
  readonly lowWater?: MemoryThreshold;
  readonly intervalMs?: number;
  /** Without a cgroup limit, fractions apply to this (default: the host's total memory). */
  readonly fallbackLimitBytes?: number;
  readonly log: { warn(message: string): void; info(message: string): void };
}

export interface MemoryStatus {
  readonly enabled: boolean;
  readonly cgroup: 'v1' | 'v2' | null;
  readonly usedBytes: number | null;
  readonly workingSetBytes: number | null;
  readonly limitBytes: number | null;
  readonly highWaterBytes: number | null;
  readonly lowWaterBytes: number | null;
  readonly aboveHighWater: boolean;
  readonly oomKills: number | null;
}

/**
 * Watches the cgroup's working set against a high- and a low-water mark. It logs one WARN line when
 * crossing above the high mark and one INFO line when falling back below the low mark (no flapping
 * in between), and it never kills anything: readiness sheds load instead. Where nothing is readable
 * it logs one INFO line and stays disabled.
 */
export class MemoryMonitor {
  readonly #options: MemoryMonitorOptions;
  #timer: NodeJS.Timeout | undefined;
  #enabled: boolean;
  #reading: MemoryReading | undefined;
  #above = false;
  #announcedOff = false;

  constructor(options: MemoryMonitorOptions) {
    this.#options = options;
    this.#enabled = options.cgroup !== undefined;
  }

  /** Takes a first reading and checks on an interval; logs once and stays off when nothing reads. */
  start(): void {
    if (this.#timer) return;
    this.check();
    if (!this.#enabled) return;
    this.#timer = setInterval(() => this.check(), Math.max(50, this.#options.intervalMs ?? 5000));
    this.#timer.unref();
  }

  /** Idempotent. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get aboveHighWater(): boolean {
    return this.#above;
  }

  /** One reading and the crossing logic; public so tests and /healthz can force a fresh look. */
  check(): MemoryStatus {
    const { cgroup, log } = this.#options;
    const reading = this.#enabled && cgroup ? readCgroupMemory(cgroup) : undefined;
    if (!reading && !this.#announcedOff) {
      this.#announcedOff = true;
      this.#enabled = false;
      this.close();
      log.info(
        'memory monitor disabled: no readable cgroup memory files (memory.current or memory.usage_in_bytes)',
      );
    }
    this.#reading = reading;
    const status = this.status();
    if (!reading || status.highWaterBytes === null || status.lowWaterBytes === null) return status;
    const used = reading.workingSetBytes;
    if (!this.#above && used > status.highWaterBytes) {
      this.#above = true;
      log.warn(
        `memory above the high-water mark: ${mib(used)} in use of ${mib(this.#limit(reading))}; not ready until below ${mib(status.lowWaterBytes)}`,
      );
    } else if (this.#above && used < status.lowWaterBytes) {
      this.#above = false;
      log.info(`memory back below the low-water mark: ${mib(used)} in use; ready again`);
    }
    return this.status();
  }

  status(): MemoryStatus {
    const reading = this.#reading;
    if (!this.#enabled || !reading) {
      return {
        enabled: false,
        cgroup: null,
        usedBytes: null,
        workingSetBytes: null,
        limitBytes: null,
        highWaterBytes: null,
        lowWaterBytes: null,
        aboveHighWater: false,
        oomKills: null,
      };
    }
    const limit = this.#limit(reading);
    const high = toBytes(this.#options.highWater ?? 0.9, limit);
    const low = Math.min(high, toBytes(this.#options.lowWater ?? 0.8, limit));
    return {
      enabled: true,
      cgroup: this.#options.cgroup?.version === 2 ? 'v2' : 'v1',
      usedBytes: reading.usedBytes,
      workingSetBytes: reading.workingSetBytes,
      limitBytes: reading.limitBytes,
      highWaterBytes: high,
      lowWaterBytes: low,
      aboveHighWater: this.#above,
      oomKills: reading.oomKills,
    };
  }

  #limit(reading: MemoryReading): number {
    return reading.limitBytes ?? this.#options.fallbackLimitBytes ?? totalmem();
  }
}

function toBytes(threshold: MemoryThreshold, limit: number): number {
  return threshold <= 1 ? Math.round(threshold * limit) : threshold;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
