import { identityKey, type ProcessIdentity } from './identity.ts';
import { isDeadState, readStat } from './proc-stat.ts';
import { signalGroup, signalProcess } from './signal.ts';
import type { ProcessTree, TrackedProcess } from './tree.ts';
import { waitUntilGone } from './wait-gone.ts';

export interface TeardownSteps {
  readonly tree: ProcessTree;
  /** Closes the child's stdin (step one: a well-behaved program exits on EOF). */
  readonly endStdin: () => void;
  /** SIGTERM grace before SIGKILL; 0 or `killNow` aborted skips straight to SIGKILL. */
  readonly graceMs: number;
  /** Aborted by destroy(): ends any grace at once. */
  readonly killNow: AbortSignal;
  /** Upper bound for the SIGKILL phase before the rest are reported as survivors. */
  readonly killTimeoutMs: number;
}

export interface TeardownOutcome {
  readonly forced: boolean;
  readonly killed: number;
  readonly descendantsKilled: number;
  readonly survivors: number;
}

/** SIGKILL rounds: a fresh scan after each catches what forked while the last round was in flight. */
const MAX_KILL_ROUNDS = 8;

/**
 * The one teardown sequence: stdin EOF → SIGTERM to every group and escapee → grace → SIGKILL →
 * until a fresh /proc scan finds no member running. Never waits on pipes, only on identities.
 */
export async function tearDownTree(steps: TeardownSteps): Promise<TeardownOutcome> {
  const { tree } = steps;
  const signalled = new Map<string, TrackedProcess>();
  steps.endStdin();
  let forced = false;

  // A fresh scan first, so what forked since the last snapshot is signalled (and counted) too.
  await tree.refresh();
  if (steps.graceMs <= 0 || steps.killNow.aborted) {
    const running = tree.running();
    forced = running.length > 0;
    signalAll(tree, running, 'SIGKILL', signalled);
  } else {
    signalAll(tree, tree.running(), 'SIGTERM', signalled);
    await waitUntilGone(
      [...signalled.values()].map((t) => t.identity),
      { timeoutMs: steps.graceMs, signal: steps.killNow },
    );
  }

  const killDeadline = performance.now() + steps.killTimeoutMs;
  for (let round = 0; round < MAX_KILL_ROUNDS; round++) {
    // A fresh scan before every verdict: nothing is declared gone on a stale snapshot.
    await tree.refresh();
    const left = tree.running();
    if (left.length === 0) break;
    forced = true;
    signalAll(tree, left, 'SIGKILL', signalled);
    const remaining = killDeadline - performance.now();
    if (remaining <= 0) break;
    await waitUntilGone(
      left.map((t) => t.identity),
      { timeoutMs: remaining },
    );
  }

  const stillRunning = new Set(tree.running().map((m) => identityKey(m.identity)));
  const rootKey = identityKey(tree.root.identity);
  let killed = 0;
  let descendantsKilled = 0;
  for (const key of signalled.keys()) {
    if (stillRunning.has(key)) continue;
    killed++;
    if (key !== rootKey) descendantsKilled++;
  }
  return { forced, killed, descendantsKilled, survivors: stillRunning.size };
}

/**
 * Signals each process group that a member of the tree created (a live member in it witnesses that
 * the group id was not recycled) once as a whole, and every other target by identity. Groups are
 * read now, not when a member was recorded: setsid and setpgid move processes between groups.
 */
function signalAll(
  tree: ProcessTree,
  targets: TrackedProcess[],
  signal: NodeJS.Signals,
  signalled: Map<string, TrackedProcess>,
): void {
  const memberPids = new Set(tree.members().map((m) => m.identity.pid));
  const groups = new Map<number, ProcessIdentity[]>();
  for (const target of targets) {
    const stat = readStat(target.identity.pid);
    if (!stat || stat.startTime !== target.identity.startTime || isDeadState(stat.state)) continue;
    signalled.set(identityKey(target.identity), target);
    const list = groups.get(stat.pgid);
    if (list) list.push(target.identity);
    else groups.set(stat.pgid, [target.identity]);
  }
  for (const [pgid, members] of groups) {
    if (pgid > 1 && pgid !== ownGroup && memberPids.has(pgid) && signalGroup(pgid, members, signal)) continue;
    for (const member of members) signalProcess(member, signal);
  }
}

/** This process's own group: never signalled as a whole, whatever a stale record says. */
const ownGroup = readStat(process.pid)?.pgid ?? -1;
