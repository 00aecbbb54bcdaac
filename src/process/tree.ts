import { identityKey, isRunning, type ProcessIdentity } from './identity.ts';
import { isDeadState, type ProcStat } from './proc-stat.ts';
import type { ProcessScanner } from './process-table.ts';

/** A process known to belong to a tree, and how it was found. */
export interface TrackedProcess {
  readonly identity: ProcessIdentity;
  readonly pgid: number;
  readonly comm: string;
  readonly foundBy: 'root' | 'ancestry' | 'marker';
}

/**
 * Everything a process started: descendants seen in ancestry snapshots while they were alive, and
 * every process carrying the owner marker, so setsid and double-fork escapees that re-parented
 * elsewhere stay known. Members are only ever added; gone ones are filtered when asked.
 */
export class ProcessTree {
  readonly root: TrackedProcess;
  readonly owner: string;
  readonly #scanner: ProcessScanner;
  readonly #members = new Map<string, TrackedProcess>();

  constructor(root: ProcStat, owner: string, scanner: ProcessScanner) {
    this.root = {
      identity: { pid: root.pid, startTime: root.startTime },
      pgid: root.pgid,
      comm: root.comm,
      foundBy: 'root',
    };
    this.owner = owner;
    this.#scanner = scanner;
    this.#members.set(identityKey(this.root.identity), this.root);
  }

  /** Takes (or shares, within `maxAgeMs`) a /proc snapshot and records every new member in it. */
  async refresh(maxAgeMs = 0): Promise<void> {
    const table = await this.#scanner.scan(maxAgeMs);
    for (const member of [...this.#members.values()]) {
      const stat = table.byPid.get(member.identity.pid);
      if (!stat || stat.startTime !== member.identity.startTime) continue;
      for (const child of table.descendantsOf(stat.pid)) this.#add(child, 'ancestry');
    }
    for (const pid of table.ownedBy(this.owner)) {
      const stat = table.byPid.get(pid);
      if (stat) this.#add(stat, 'marker');
    }
  }

  #add(stat: ProcStat, foundBy: TrackedProcess['foundBy']): void {
    if (isDeadState(stat.state)) return;
    const identity = { pid: stat.pid, startTime: stat.startTime };
    const key = identityKey(identity);
    if (!this.#members.has(key))
      this.#members.set(key, { identity, pgid: stat.pgid, comm: stat.comm, foundBy });
  }

  /** Every member ever recorded, root first. */
  members(): TrackedProcess[] {
    return [...this.#members.values()];
  }

  /** Members still running now (identity re-checked against /proc). */
  running(): TrackedProcess[] {
    return this.members().filter((member) => isRunning(member.identity));
  }
}
