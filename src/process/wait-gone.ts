import { isGone, type ProcessIdentity } from './identity.ts';

export interface WaitGoneOptions {
  /** Give up at this many ms; the promise then resolves with the identities still running. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** First polls come fast (teardown of a cooperative tree takes a few ms), later ones back off. */
const POLL_STEPS_MS = [0, 0, 1, 1, 2, 2, 4, 4, 8, 8, 16];
const POLL_MAX_MS = 25;

/**
 * Resolves with the identities that are still running once all are gone, the timeout passes or
 * the signal aborts (an empty list means every one is gone). Its timers keep the process alive: a
 * teardown is bounded, and a process that exited in the middle of one would leak the tree.
 */
export async function waitUntilGone(
  identities: readonly ProcessIdentity[],
  options: WaitGoneOptions,
): Promise<ProcessIdentity[]> {
  const deadline = performance.now() + options.timeoutMs;
  let left = identities.filter((id) => !isGone(id));
  for (let step = 0; left.length > 0; step++) {
    const remaining = deadline - performance.now();
    if (remaining <= 0 || options.signal?.aborted) break;
    await pause(Math.min(POLL_STEPS_MS[step] ?? POLL_MAX_MS, remaining), options.signal, true);
    left = left.filter((id) => !isGone(id));
  }
  return left;
}

/**
 * A pause that ends early (without throwing) when the signal aborts. Unref'd unless `keepAlive`:
 * only a bounded teardown step may hold the process open.
 */
export function pause(ms: number, signal?: AbortSignal, keepAlive = false): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    // 0 ms: one turn of the event loop (a setTimeout would wait a whole millisecond).
    if (ms <= 0) return void setImmediate(resolve);
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (!keepAlive) timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
}
