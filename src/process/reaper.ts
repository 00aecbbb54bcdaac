import { readdirSync, readFileSync } from 'node:fs';
import { loadLibc } from './libc.ts';
import { readStat } from './proc-stat.ts';

export interface ReaperOptions {
  /** How often to look for zombie children (default 100 ms). */
  readonly intervalMs?: number;
  /** Children libuv spawned for us: never waited on here, or libuv would lose their exit codes. */
  readonly isOwnChild?: (pid: number) => boolean;
  /** Called after a pass that reaped something, with the running total. */
  readonly onReaped?: (total: number) => void;
}

export interface ReaperStats {
  readonly reaped: number;
  readonly subreaper: boolean;
}

/**
 * Reaps zombies re-parented to this process, one specific pid at a time (never waitpid(-1), which
 * would steal exit codes from libuv). A zombie this process did not spawn through the registry is
 * reaped only when it is still a zombie one interval later: libuv reaps its own children at once.
 */
export class ZombieReaper {
  readonly #intervalMs: number;
  readonly #isOwnChild: (pid: number) => boolean;
  readonly #onReaped: ((total: number) => void) | undefined;
  readonly #waiting = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #waitpid: ((pid: number) => number) | undefined;
  #reaped = 0;
  #subreaper = false;

  constructor(options: ReaperOptions = {}) {
    this.#intervalMs = Math.max(1, options.intervalMs ?? 100);
    this.#isOwnChild = options.isOwnChild ?? (() => false);
    this.#onReaped = options.onReaped;
  }

  /**
   * Becomes a child subreaper (when asked) and starts the interval. Resolves with an Error
   * describing why reaping is unavailable (no koffi, no prctl), or undefined when it runs.
   */
  async start(options: { subreaper: boolean }): Promise<Error | undefined> {
    const libc = await loadLibc();
    if (libc instanceof Error) return libc;
    if (options.subreaper) {
      this.#subreaper = libc.setChildSubreaper();
      if (!this.#subreaper) return new Error('prctl(PR_SET_CHILD_SUBREAPER) was refused');
    }
    this.#waitpid = libc.waitpidNoHang;
    if (!this.#timer) {
      this.#timer = setInterval(() => this.reapOnce(), this.#intervalMs);
      this.#timer.unref();
    }
    return undefined;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get stats(): ReaperStats {
    return { reaped: this.#reaped, subreaper: this.#subreaper };
  }

  /** One pass: reaps the zombies that waited a whole interval. Returns how many it reaped. */
  reapOnce(): number {
    const waitpid = this.#waitpid;
    if (!waitpid) return 0;
    const zombies = new Map<number, number>();
    for (const pid of childPids()) {
      if (this.#isOwnChild(pid)) continue;
      const stat = readStat(pid);
      if (stat?.state === 'Z' && stat.ppid === process.pid) zombies.set(pid, stat.startTime);
    }
    let reaped = 0;
    for (const [pid, startTime] of zombies) {
      if (this.#waiting.get(pid) === startTime && waitpid(pid) === pid) reaped++;
    }
    this.#waiting.clear();
    for (const [pid, startTime] of zombies) this.#waiting.set(pid, startTime);
    this.#reaped += reaped;
    if (reaped > 0) this.#onReaped?.(this.#reaped);
    return reaped;
  }
}

/** Children of every thread of this process, from /proc/self/task/<tid>/children. */
function childPids(): number[] {
  const pids: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return pids;
  }
  for (const tid of tasks) {
    let text = '';
    try {
      text = readFileSync(`/proc/self/task/${tid}/children`, 'latin1');
    } catch {
      continue;
    }
    for (const word of text.split(' ')) if (word) pids.push(Number(word));
  }
  return pids;
}
