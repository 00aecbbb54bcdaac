import {
  instanceOwner,
  markerBelongsTo,
  type ProcessRegistry,
  type ProcessScanner,
  sharedScanner,
} from '../process/index.ts';

export interface LeakedProcess {
  readonly pid: number;
  readonly comm: string;
  readonly owner: string;
  readonly state: string;
}

export interface LeakReport {
  /** Marked processes no owner claims, plus unreaped zombie children. */
  readonly count: number;
  readonly unowned: readonly LeakedProcess[];
  /** Zombie children of this process that libuv did not spawn for a live owner. */
  readonly zombies: readonly number[];
  /** How long `count` has stayed above zero (0 when it is zero). */
  readonly sinceMs: number;
}

export interface LeakWatchOptions {
  readonly registry: ProcessRegistry;
  /** This server's marker (default: the process's instance owner). */
  readonly owner?: string;
  readonly scanner?: ProcessScanner;
  /** How often to look (default 2 s). */
  readonly intervalMs?: number;
}

const NONE: LeakReport = { count: 0, unowned: [], zombies: [], sinceMs: 0 };

/**
 * Looks for what Tether must never have: a process carrying this server's marker that no live owner
 * claims (a setsid escapee that outlived its teardown, something a bug forgot), and zombie children
 * nobody reaps. Checks on an interval from a /proc scan; the last report is always at hand. A
 * process is reported once two consecutive checks have seen it.
 */
export class LeakWatch {
  readonly #options: LeakWatchOptions;
  #timer: NodeJS.Timeout | undefined;
  #last: LeakReport = NONE;
  #since = 0;
  #checking: Promise<LeakReport> | undefined;
  /** Identities (pid:start) that looked leaked in the previous check. */
  #suspects = new Set<string>();

  constructor(options: LeakWatchOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer) return;
    void this.check();
    this.#timer = setInterval(() => void this.check(), Math.max(100, this.#options.intervalMs ?? 2000));
    this.#timer.unref();
  }

  /** Idempotent. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get last(): LeakReport {
    return this.#last;
  }

  /** A fresh look (concurrent callers share one). */
  check(): Promise<LeakReport> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  async #check(): Promise<LeakReport> {
    const { registry } = this.#options;
    const owner = this.#options.owner ?? instanceOwner;
    const table = await (this.#options.scanner ?? sharedScanner).scan(0, { exact: true });
    const owners = registry.list().map((child) => child.owner);
    // Something counts only when two checks in a row see it: an orphan a reaper is about to reap, or a
    // child between its spawn and its registration, is not a leak.
    const suspects = new Set<string>();
    const confirmed = (stat: { pid: number; startTime: number }): boolean => {
      const key = `${stat.pid}:${stat.startTime}`;
      suspects.add(key);
      return this.#suspects.has(key);
    };
    const unowned: LeakedProcess[] = [];
    for (const pid of table.ownedBy(owner)) {
      const stat = table.byPid.get(pid);
      const marker = table.markerOf(pid);
      if (!stat || !marker || pid === process.pid || stat.state === 'Z') continue;
      if (owners.some((claimed) => markerBelongsTo(marker, claimed))) continue;
      if (confirmed(stat)) unowned.push({ pid, comm: stat.comm, owner: marker, state: stat.state });
    }
    const zombies = table
      .childrenOf(process.pid)
      .filter((stat) => stat.state === 'Z' && !registry.has(stat.pid) && confirmed(stat))
      .map((stat) => stat.pid);
    this.#suspects = suspects;
    const count = unowned.length + zombies.length;
    const now = Date.now();
    if (count === 0) this.#since = 0;
    else if (this.#since === 0) this.#since = now;
    this.#last = { count, unowned, zombies, sinceMs: this.#since === 0 ? 0 : now - this.#since };
    return this.#last;
  }
}
