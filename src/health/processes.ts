import { readFileSync } from 'node:fs';
import {
  instanceOwner,
  OWNER_ENV,
  type ProcessRegistry,
  readEnvVar,
  readRssBytes,
  readStat,
} from '../process/index.ts';
import type { LeakedProcess } from './leaks.ts';

/** Clock ticks per second of /proc times (USER_HZ, 100 on every Linux Node supports). */
const TICKS = 100;

export interface ProcessRow {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly start_time: number;
  readonly state: string;
  /** The kernel's command name (comm). Arguments are left out: a prompt may be one. */
  readonly command: string;
  readonly owner: string | null;
  readonly rss_bytes: number;
  readonly cpu_s: number;
  readonly age_s: number;
  readonly found_by: 'root' | 'ancestry' | 'marker';
}

export interface OwnerTree {
  readonly owner: string;
  readonly pid: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: string;
  readonly age_ms: number;
  readonly processes: readonly ProcessRow[];
}

export interface ProcessesBody {
  readonly server: { readonly pid: number; readonly owner: string };
  readonly owners: readonly OwnerTree[];
  /** Marked processes no owner claims (from the last leak check). */
  readonly unowned: readonly LeakedProcess[];
}

/** Every live owner's running tree, read from /proc now. */
export async function processesBody(
  registry: ProcessRegistry,
  unowned: readonly LeakedProcess[],
): Promise<ProcessesBody> {
  const uptimeS = readUptimeS();
  const children = registry.children();
  const trees = await Promise.all(children.map((child) => child.refreshTree()));
  const owners = children.map((child, index): OwnerTree => {
    const snapshot = child.snapshot();
    const processes: ProcessRow[] = [];
    for (const member of trees[index] ?? []) {
      const stat = readStat(member.identity.pid);
      if (!stat || stat.startTime !== member.identity.startTime) continue;
      processes.push({
        pid: stat.pid,
        ppid: stat.ppid,
        pgid: stat.pgid,
        start_time: stat.startTime,
        state: stat.state,
        command: stat.comm,
        owner: readEnvVar(stat.pid, OWNER_ENV) ?? null,
        rss_bytes: readRssBytes(stat.pid),
        cpu_s: (stat.utimeTicks + stat.stimeTicks) / TICKS,
        age_s: Math.max(0, Math.round((uptimeS - stat.startTime / TICKS) * 100) / 100),
        found_by: member.foundBy,
      });
    }
    return {
      owner: snapshot.owner,
      pid: snapshot.pid,
      labels: snapshot.labels,
      state: snapshot.state,
      age_ms: snapshot.ageMs,
      processes,
    };
  });
  return { server: { pid: process.pid, owner: instanceOwner }, owners, unowned };
}

function readUptimeS(): number {
  try {
    return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}
