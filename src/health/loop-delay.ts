import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

export interface DelayPercentiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

const NS_PER_MS = 1e6;

/**
 * Event-loop delay percentiles (perf_hooks) over a rolling window: the figures of the last complete
 * window, or of the current one until a window has completed. Milliseconds.
 */
export class LoopDelay {
  readonly #histogram: IntervalHistogram;
  readonly #windowMs: number;
  readonly #resolutionNs: number;
  #timer: NodeJS.Timeout | undefined;
  #last: DelayPercentiles | undefined;

  constructor(options: { windowMs?: number; resolutionMs?: number } = {}) {
    this.#windowMs = Math.max(100, options.windowMs ?? 10_000);
    const resolutionMs = Math.max(1, options.resolutionMs ?? 10);
    this.#resolutionNs = resolutionMs * NS_PER_MS;
    this.#histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  }

  start(): void {
    if (this.#timer) return;
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      this.#last = this.#read();
      this.#histogram.reset();
    }, this.#windowMs);
    this.#timer.unref();
  }

  /** Idempotent. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#histogram.disable();
  }

  percentiles(): DelayPercentiles {
    return this.#last ?? this.#read();
  }

  #read(): DelayPercentiles {
    const h = this.#histogram;
    if (h.count === 0) return { p50: 0, p99: 0, max: 0 };
    // The histogram records whole sampling intervals; the delay is what exceeds the interval.
    const ms = (ns: number): number =>
      Math.round((Math.max(0, ns - this.#resolutionNs) / NS_PER_MS) * 100) / 100;
    return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
  }
}
