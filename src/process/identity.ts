import { isDeadState, readStat } from './proc-stat.ts';

/**
 * A process is its pid plus its start time (field 22 of /proc/<pid>/stat): a pid alone may have
 * been recycled for a stranger since we last looked.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: number;
}

export function identityKey(identity: ProcessIdentity): string {
  return `${identity.pid}:${identity.startTime}`;
}

export function readIdentity(pid: number): ProcessIdentity | undefined {
  const stat = readStat(pid);
  return stat && { pid: stat.pid, startTime: stat.startTime };
}

/** True while this very process (not a recycled pid) still runs code: not exited, not a zombie. */
export function isRunning(identity: ProcessIdentity): boolean {
  const stat = readStat(identity.pid);
  return stat !== undefined && stat.startTime === identity.startTime && !isDeadState(stat.state);
}

/** True once this process is gone: reaped, recycled into another process, or dead awaiting a reaper. */
export function isGone(identity: ProcessIdentity): boolean {
  return !isRunning(identity);
}
