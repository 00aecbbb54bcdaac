import { readdirSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { OWNER_ENV, readEnvVar } from './environ.ts';
import { identityKey } from './identity.ts';
import { isDeadState, type ProcStat, readStat } from './proc-stat.ts';

/** How many /proc entries are read before yielding to the event loop, so a big host never stalls it. */
const BATCH = 256;

/**
 * A pid listed in the previous scan, if that scan is younger than this, keeps its stat and marker
 * without a re-read (reading /proc/<pid>/stat costs 10–100 µs, kernel threads the most; with a
 * thousand runs that is most of a scan). Tree tracking tolerates that: a new process has a new pid
 * and is read, and a member that died meanwhile is checked by identity before anything is signalled.
 * An exact scan re-reads every user process (only kernel threads are reused): it is the one that
 * says whether a process still runs or is a zombie. Only a full wrap of the pid space within this
 * window could put a stranger behind a known pid, and every signal re-checks the identity anyway.
 */
const REUSE_MS = 1000;

/** One snapshot of every process on the host, with each one's owner marker. */
export class ProcessTable {
  readonly startedAt: number;
  readonly byPid: ReadonlyMap<number, ProcStat>;
  readonly #markers: ReadonlyMap<number, string>;
  #children: Map<number, ProcStat[]> | undefined;
  #byOwner: Map<string, number[]> | undefined;

  constructor(startedAt: number, byPid: ReadonlyMap<number, ProcStat>, markers: ReadonlyMap<number, string>) {
    this.startedAt = startedAt;
    this.byPid = byPid;
    this.#markers = markers;
  }

  markerOf(pid: number): string | undefined {
    return this.#markers.get(pid);
  }

  markersByPid(): ReadonlyMap<number, string> {
    return this.#markers;
  }

  /**
   * Pids whose marker is `owner` or nested below it (`owner/…`). Indexed once per table by every
   * prefix of every marker, so a thousand owners asking cost a thousand lookups, not a million.
   */
  ownedBy(owner: string): readonly number[] {
    if (!this.#byOwner) {
      this.#byOwner = new Map();
      for (const [pid, marker] of this.#markers) {
        for (let end = marker.length; end > 0; end = marker.lastIndexOf('/', end - 1)) {
          const prefix = marker.slice(0, end);
          const list = this.#byOwner.get(prefix);
          if (list) list.push(pid);
          else this.#byOwner.set(prefix, [pid]);
        }
      }
    }
    return this.#byOwner.get(owner) ?? [];
  }

  childrenOf(pid: number): readonly ProcStat[] {
    if (!this.#children) {
      this.#children = new Map();
      for (const stat of this.byPid.values()) {
        const list = this.#children.get(stat.ppid);
        if (list) list.push(stat);
        else this.#children.set(stat.ppid, [stat]);
      }
    }
    return this.#children.get(pid) ?? [];
  }

  /** Every process below `pid` by parent links, as they stand in this snapshot. */
  descendantsOf(pid: number): ProcStat[] {
    const found: ProcStat[] = [];
    const queue = [pid];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (const child of this.childrenOf(next)) {
        found.push(child);
        queue.push(child.pid);
      }
    }
    return found;
  }
}

/**
 * Reads /proc into ProcessTables. Scans that may be shared are shared, and each identity's
 * environment is read once (the marker of a process does not change while it lives).
 */
export class ProcessScanner {
  #markerCache = new Map<string, string | null>();
  #latest: Promise<ProcessTable> | undefined;
  #latestStartedAt = -Infinity;
  #previous: ProcessTable | undefined;
  #next: Promise<ProcessTable> | undefined;
  #nextExact = false;

  /**
   * A table whose scan started no more than `maxAgeMs` ago (0: a scan that starts now). `exact`:
   * every user process's state and parent as read during this scan, none carried over from the
   * previous one (for "is it still running", "is it a zombie"; tree tracking does not need it).
   */
  scan(maxAgeMs = 0, options: { exact?: boolean } = {}): Promise<ProcessTable> {
    const now = performance.now();
    if (options.exact) this.#nextExact = true;
    else if (this.#latest && maxAgeMs > 0 && now - this.#latestStartedAt <= maxAgeMs) return this.#latest;
    // Every caller until the next turn of the event loop shares one scan that starts after all of
    // their requests: a thousand teardowns at once cost one walk of /proc, not a thousand.
    this.#next ??= new Promise((resolve) => {
      setImmediate(() => {
        const exact = this.#nextExact;
        this.#next = undefined;
        this.#nextExact = false;
        this.#latestStartedAt = performance.now();
        this.#latest = this.#scan(this.#latestStartedAt, exact);
        resolve(this.#latest);
      });
    });
    return this.#next;
  }

  async #scan(startedAt: number, exact: boolean): Promise<ProcessTable> {
    const pids = listPids();
    const byPid = new Map<number, ProcStat>();
    const markers = new Map<number, string>();
    const seen = new Set<string>();
    const previous =
      this.#previous && startedAt - this.#previous.startedAt < REUSE_MS ? this.#previous : undefined;
    for (let i = 0; i < pids.length; i++) {
      if (i > 0 && i % BATCH === 0) await yieldToLoop();
      const pid = pids[i] as number;
      const known = previous?.byPid.get(pid);
      const stat = known && (!exact || isKernelThread(known)) ? known : readStat(pid);
      if (!stat) continue;
      byPid.set(stat.pid, stat);
      const key = identityKey(stat);
      seen.add(key);
      let marker = this.#markerCache.get(key);
      if (marker === undefined) {
        const read = readEnvVar(stat.pid, OWNER_ENV);
        // A readable environ's answer holds for the identity's life, and so does "none" for kernel
        // threads and zombies. Any other unreadable environ is read again next scan: a process caught
        // in execve reads as empty for a moment, and caching that would hide an escapee for good.
        if (read !== undefined || isKernelThread(stat) || isDeadState(stat.state)) {
          marker = read ?? null;
          this.#markerCache.set(key, marker);
        }
      }
      if (typeof marker === 'string') markers.set(stat.pid, marker);
    }
    for (const key of this.#markerCache.keys()) if (!seen.has(key)) this.#markerCache.delete(key);
    const table = new ProcessTable(startedAt, byPid, markers);
    if (!previous) this.#previous = table;
    return table;
  }
}

/** Children of kthreadd (pid 2), and kthreadd itself: they have no environment and never will. */
function isKernelThread(stat: ProcStat): boolean {
  return stat.pid === 2 || stat.ppid === 2;
}

export function listPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const code = name.charCodeAt(0);
    if (code >= 48 && code <= 57) pids.push(Number(name));
  }
  return pids;
}

/** The scanner shared by every owner in this process. */
export const sharedScanner = new ProcessScanner();
