/** Why a process tree ended. The first eight are the run exit reasons of the HTTP API. */
export type ExitReason =
  | 'completed'
  | 'cancelled'
  | 'disconnected'
  | 'timeout'
  | 'idle_timeout'
  | 'output_limit'
  | 'shutdown'
  | 'crashed'
  | 'aborted'
  | 'disposed';

/** How the root process exited, as libuv reported it. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** How a tree ended, recorded as data. */
export interface TeardownReport extends ExitStatus {
  readonly pid: number;
  readonly owner: string;
  readonly reason: ExitReason;
  /** Whether SIGKILL was needed (something outlived SIGTERM and the grace, or destroy() was called). */
  readonly forced: boolean;
  /** Processes of the tree that were running when signalled and are gone now. */
  readonly killed: number;
  /** Of those, the ones other than the root: the tree's descendants and escapees. */
  readonly descendantsKilled: number;
  /** Processes that could not be ended within the kill timeout (0 unless the kernel holds one in D state). */
  readonly survivors: number;
  /** Processes ever recorded as part of the tree, root included. */
  readonly treeSize: number;
  /** From the request (or the root's exit) to the last identity gone. */
  readonly durationMs: number;
}

/** A point-in-time view of one supervised child, for health, metrics and `tether ps`. */
export interface ChildSnapshot {
  readonly pid: number;
  readonly pgid: number;
  readonly startTime: number;
  readonly owner: string;
  readonly command: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: ChildState;
  readonly ageMs: number;
  readonly rssBytes: number;
  /** Members of the tree still running, root included. */
  readonly treeSize: number;
}

export type ChildState = 'running' | 'closing' | 'closed';
