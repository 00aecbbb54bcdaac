import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isRunning, type ProcessIdentity } from './identity.ts';
import { findOwnedProcesses } from './owned.ts';
import { signalProcess } from './signal.ts';
import { waitUntilGone } from './wait-gone.ts';

/** One keeper incarnation: its marker and its own identity, so a live one is never mistaken for a dead one. */
export interface Incarnation {
  readonly owner: string;
  readonly keeper: ProcessIdentity;
  readonly startedAt: string;
}

const FILE = 'incarnations.json';

/** Where the ledger lives: $TETHER_STATE_DIR, else $XDG_STATE_HOME/tether, else ~/.local/state/tether. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TETHER_STATE_DIR) return env.TETHER_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'tether');
}

/**
 * Boot recovery: ends every process left by an incarnation whose keeper is gone (found by its marker,
 * identity-checked, SIGTERM then SIGKILL), then records `self`. Incarnations whose keeper still runs
 * are another live Tether's business and are left alone. Returns how many processes were ended.
 */
export async function recoverAndRecord(stateDir: string, self: Incarnation): Promise<number> {
  const previous = await readLedger(stateDir);
  const alive: Incarnation[] = [];
  let ended = 0;
  for (const entry of previous) {
    if (entry.owner === self.owner) continue;
    if (isRunning(entry.keeper)) {
      alive.push(entry);
      continue;
    }
    ended += await endOwned(entry.owner);
  }
  await writeLedger(stateDir, [...alive, self]);
  return ended;
}

/** A clean exit: this incarnation left nothing, so it leaves the ledger. */
export async function forget(stateDir: string, owner: string): Promise<void> {
  const entries = await readLedger(stateDir);
  await writeLedger(
    stateDir,
    entries.filter((entry) => entry.owner !== owner),
  );
}

async function endOwned(owner: string): Promise<number> {
  const found = (await findOwnedProcesses(owner)).map((stat) => ({
    pid: stat.pid,
    startTime: stat.startTime,
  }));
  for (const id of found) signalProcess(id, 'SIGTERM');
  const stubborn = await waitUntilGone(found, { timeoutMs: 500 });
  for (const id of stubborn) signalProcess(id, 'SIGKILL');
  await waitUntilGone(stubborn, { timeoutMs: 2000 });
  return found.length;
}

async function readLedger(stateDir: string): Promise<Incarnation[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(stateDir, FILE), 'utf8'));
    return Array.isArray(parsed) ? parsed.filter(isIncarnation) : [];
  } catch {
    return [];
  }
}

async function writeLedger(stateDir: string, entries: Incarnation[]): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const temporary = join(stateDir, `${FILE}.${process.pid}.tmp`);
  await writeFile(temporary, `${JSON.stringify(entries, null, 2)}\n`);
  await rename(temporary, join(stateDir, FILE));
}

function isIncarnation(value: unknown): value is Incarnation {
  const entry = value as Incarnation | null;
  return (
    typeof entry?.owner === 'string' &&
    entry.owner.length > 0 &&
    typeof entry.keeper?.pid === 'number' &&
    typeof entry.keeper.startTime === 'number'
  );
}
