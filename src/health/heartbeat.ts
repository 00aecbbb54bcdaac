import { sharedClockMs } from './clock.ts';

/** Slot of the shared buffer: the shared-clock millisecond of the main loop's last beat. */
const BEAT_AT = 0;

/** The reading side of a heartbeat: works in any thread that holds the buffer. */
export class HeartbeatReader {
  readonly #slots: BigInt64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#slots = new BigInt64Array(buffer);
  }

  /** Milliseconds since the main loop last beat. */
  ageMs(now = sharedClockMs()): number {
    return Math.max(0, now - Number(Atomics.load(this.#slots, BEAT_AT)));
  }
}

export interface HeartbeatOptions {
  /** How often the main loop beats (default 100 ms). */
  readonly intervalMs?: number;
  /** A gap between beats longer than this counts as a stall (default 500 ms). */
  readonly stallMs?: number;
}

/**
 * The main event loop's heartbeat: a timer that writes the time into shared memory, so a worker
 * thread can tell how long the loop has been wedged even while it is. It also adds up stalls.
 */
export class Heartbeat {
  readonly buffer = new SharedArrayBuffer(8);
  readonly reader = new HeartbeatReader(this.buffer);
  readonly #slots = new BigInt64Array(this.buffer);
  readonly #intervalMs: number;
  readonly #stallMs: number;
  #timer: NodeJS.Timeout | undefined;
  #lastBeat = 0;
  #stalledMs = 0;

  constructor(options: HeartbeatOptions = {}) {
    this.#intervalMs = Math.max(10, options.intervalMs ?? 100);
    this.#stallMs = Math.max(this.#intervalMs, options.stallMs ?? 500);
    this.#beat();
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#beat(), this.#intervalMs);
    this.#timer.unref();
  }

  /** Idempotent. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Milliseconds since the last beat (as the worker sees it). */
  ageMs(): number {
    return this.reader.ageMs();
  }

  /** Seconds the loop spent in stalls (gaps between beats longer than the stall threshold), in total. */
  get stalledSeconds(): number {
    return this.#stalledMs / 1000;
  }

  #beat(): void {
    const now = sharedClockMs();
    const gap = this.#lastBeat === 0 ? 0 : now - this.#lastBeat;
    if (gap > this.#stallMs) this.#stalledMs += gap - this.#intervalMs;
    this.#lastBeat = now;
    Atomics.store(this.#slots, BEAT_AT, BigInt(Math.round(now)));
  }
}
