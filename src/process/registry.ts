import type { TrackedProcess } from './tree.ts';
import type { ChildSnapshot, ExitReason, TeardownReport } from './types.ts';

/** What the registry needs of an owner. SupervisedChild implements it. */
export interface RegisteredChild {
  readonly pid: number;
  readonly owner: string;
  snapshot(): ChildSnapshot;
  /** Members of the tree still running, root included, after a fresh look at /proc. */
  refreshTree(): Promise<TrackedProcess[]>;
  close(reason: ExitReason): Promise<TeardownReport>;
}

/** Counts kept as plain numbers, for health and metrics. */
export interface RegistryCounts {
  readonly live: number;
  readonly spawned: number;
  readonly ended: number;
  readonly forced: number;
  /** Descendants (grandchildren, setsid escapees) that teardowns had to end. */
  readonly escapeesKilled: number;
  readonly byLabel: Readonly<Record<string, number>>;
}

/**
 * Every live supervised child of this process. Children add themselves at spawn and leave when
 * their tree is gone; the registry never ends a child except through closeAll().
 */
export class ProcessRegistry {
  readonly #live = new Map<number, RegisteredChild>();
  #spawned = 0;
  #ended = 0;
  #forced = 0;
  #escapeesKilled = 0;
  readonly #removed = new Set<(child: RegisteredChild, report: TeardownReport) => void>();

  add(child: RegisteredChild): void {
    this.#live.set(child.pid, child);
    this.#spawned++;
  }

  /** Called by the child once its whole tree is gone. */
  remove(child: RegisteredChild, report: TeardownReport): void {
    if (this.#live.get(child.pid) !== child) return;
    this.#live.delete(child.pid);
    this.#ended++;
    if (report.forced) this.#forced++;
    this.#escapeesKilled += report.descendantsKilled;
    for (const listener of this.#removed) listener(child, report);
  }

  /** Calls `listener` each time a child's whole tree is gone (metrics); returns the unsubscribe. */
  onRemoved(listener: (child: RegisteredChild, report: TeardownReport) => void): () => void {
    this.#removed.add(listener);
    return () => this.#removed.delete(listener);
  }

  /** True when `pid` is a live child that libuv spawned for us (a reaper must never wait on it). */
  has(pid: number): boolean {
    return this.#live.has(pid);
  }

  get size(): number {
    return this.#live.size;
  }

  /** The live children themselves (for views that walk their trees). */
  children(): RegisteredChild[] {
    return [...this.#live.values()];
  }

  list(): ChildSnapshot[] {
    return [...this.#live.values()].map((child) => child.snapshot());
  }

  counts(labelKey = 'backend'): RegistryCounts {
    const byLabel: Record<string, number> = {};
    for (const snap of this.list()) {
      const label = snap.labels[labelKey] ?? 'none';
      byLabel[label] = (byLabel[label] ?? 0) + 1;
    }
    return {
      live: this.#live.size,
      spawned: this.#spawned,
      ended: this.#ended,
      forced: this.#forced,
      escapeesKilled: this.#escapeesKilled,
      byLabel,
    };
  }

  /** Ends every live child with `reason`; resolves with their reports. */
  closeAll(reason: ExitReason): Promise<TeardownReport[]> {
    return Promise.all([...this.#live.values()].map((child) => child.close(reason)));
  }
}

/** The registry children join when no other is given. */
export const defaultRegistry = new ProcessRegistry();
