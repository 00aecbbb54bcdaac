import { readProcFile } from './proc-read.ts';

/** The fields of /proc/<pid>/stat that Tether uses. Times are in clock ticks since boot. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  readonly utimeTicks: number;
  readonly stimeTicks: number;
  readonly startTime: number;
  readonly rssPages: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command name may hold spaces and parentheses, so the
 * fixed fields are read after the last ')'.
 */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const field = (n: number): number => Number(rest[n - 3]);
  const stat: ProcStat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    pgid: field(5),
    sid: field(6),
    utimeTicks: field(14),
    stimeTicks: field(15),
    startTime: field(22),
    rssPages: field(24),
  };
  return Number.isFinite(stat.startTime) && Number.isFinite(stat.pid) ? stat : undefined;
}

/** Reads and parses /proc/<pid>/stat; undefined when the process does not exist (any more). */
export function readStat(pid: number): ProcStat | undefined {
  const text = readProcFile(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseStat(text);
}

/** A zombie (Z) or dead (X) process runs no code any more: it only waits to be reaped. */
export function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

/** Resident memory of a process in bytes (VmRSS of /proc/<pid>/status), 0 when unknown. */
export function readRssBytes(pid: number): number {
  const text = readProcFile(`/proc/${pid}/status`) ?? '';
  const match = /^VmRSS:\s+(\d+) kB/m.exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}
