/**
 * Milliseconds on a clock that the main thread and a worker thread agree on: each thread's own
 * time origin plus its monotonic time, so a wall-clock step does not look like a stall.
 */
export function sharedClockMs(): number {
  return performance.timeOrigin + performance.now();
}
