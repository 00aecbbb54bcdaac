import { identityKey } from './identity.ts';
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
  await tree.refresh();
  let forced = false;

  if (steps.graceMs > 0 && !steps.killNow.aborted) {
    const targets = tree.running();
    signalAll(tree, targets, 'SIGTERM', signalled);
    await waitUntilGone(
      targets.map((t) => t.identity),
      { timeoutMs: steps.graceMs, signal: steps.killNow },
    );
    await tree.refresh();
  }

  const killDeadline = performance.now() + steps.killTimeoutMs;
  for (let round = 0; round < MAX_KILL_ROUNDS; round++) {
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
    await tree.refresh();
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
 * Signals each process group whose leader the tree started once (a live member witnesses that the
 * group id was not recycled), then each member outside those groups by identity.
 */
function signalAll(
  tree: ProcessTree,
  targets: TrackedProcess[],
  signal: NodeJS.Signals,
  signalled: Map<string, TrackedProcess>,
): void {
  const ownGroups = new Set(
    tree
      .members()
      .filter((m) => m.identity.pid === m.pgid)
      .map((m) => m.pgid),
  );
  const groups = new Map<number, TrackedProcess[]>();
  for (const target of targets) {
    signalled.set(identityKey(target.identity), target);
    const list = groups.get(target.pgid);
    if (list) list.push(target);
    else groups.set(target.pgid, [target]);
  }
  for (const [pgid, members] of groups) {
    const witnesses = members.map((m) => m.identity);
    if (ownGroups.has(pgid) && pgid > 1 && signalGroup(pgid, witnesses, signal)) continue;
    for (const member of members) signalProcess(member.identity, signal);
  }
}
