import { isRunning, type ProcessIdentity, readIdentity } from './identity.ts';

/** Set by the keeper in the server's environment: the keeper's pid. */
export const KEEPER_PID_ENV = 'TETHER_KEEPER_PID';

/** What the keeper tells the server over the lifeline pipe (one JSON object per line). */
export interface KeeperReport {
  /** Orphaned zombies the keeper has reaped so far. */
  readonly zombies_reaped: number;
}

/**
 * Server side of invariant 7: calls `onGone` once when the keeper dies — its pipe on our stdin
 * reaches EOF, or its identity (pid, start time) stops running. Returns undefined when no keeper
 * started this process, else a function that stops watching.
 */
export function watchKeeper(
  onGone: (why: string) => void,
  options: { intervalMs?: number; onReport?: (report: KeeperReport) => void } = {},
): (() => void) | undefined {
  const pid = Number(process.env[KEEPER_PID_ENV]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const keeper: ProcessIdentity | undefined = readIdentity(pid);
  let fired = false;
  const fire = (why: string): void => {
    if (fired) return;
    fired = true;
    stop();
    onGone(why);
  };
  const onEnd = (): void => fire('keeper pipe closed');
  let pending = '';
  const onData = (chunk: Buffer): void => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = (lines.pop() ?? '').slice(-4096);
    for (const line of lines) {
      const report = parseReport(line);
      if (report) options.onReport?.(report);
    }
  };
  process.stdin.on('data', onData);
  process.stdin.on('end', onEnd);
  process.stdin.on('close', onEnd);
  process.stdin.on('error', onEnd);
  process.stdin.resume();
  const timer = setInterval(() => {
    if (!keeper || !isRunning(keeper)) fire('keeper process gone');
  }, options.intervalMs ?? 500);
  timer.unref();
  const stop = (): void => {
    clearInterval(timer);
    process.stdin.off('data', onData);
    process.stdin.off('end', onEnd);
    process.stdin.off('close', onEnd);
    process.stdin.off('error', onEnd);
    process.stdin.pause();
  };
  return stop;
}

function parseReport(line: string): KeeperReport | undefined {
  try {
    const value = JSON.parse(line) as Partial<KeeperReport>;
    return typeof value.zombies_reaped === 'number' ? { zombies_reaped: value.zombies_reaped } : undefined;
  } catch {
    return undefined;
  }
}
