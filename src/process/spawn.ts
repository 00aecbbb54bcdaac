import { type ChildProcess, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { TetherError } from '../errors.ts';
import { SupervisedChild } from './child.ts';
import { OWNER_ENV } from './environ.ts';
import { LineRing } from './line-ring.ts';
import { nextOwnerId } from './owner-id.ts';
import { readStat } from './proc-stat.ts';
import { type ProcessScanner, sharedScanner } from './process-table.ts';
import { defaultRegistry, type ProcessRegistry } from './registry.ts';
import { ProcessTree } from './tree.ts';

/** What to start and how to own it. Only `argv` is required. */
export interface SpawnOptions {
  /** The program and its arguments, never through a shell: `[file, ...args]`. */
  readonly argv: readonly string[];
  readonly cwd?: string;
  /** The child's environment (default: this process's). `TETHER_OWNER` is always set on top. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `ignore`, an open `pipe`, or `{ text }`: write the text, then EOF. Default `ignore`. */
  readonly stdin?: 'ignore' | 'pipe' | { readonly text: string };
  /** How many stderr lines to keep (default 200); stderr is always drained. */
  readonly stderrLines?: number;
  readonly onStderrLine?: (line: string) => void;
  /** Cadence of the ancestry and marker scans while the child lives (default 100 ms). */
  readonly trackIntervalMs?: number;
  /** SIGTERM → SIGKILL grace for close() (default 2000 ms). */
  readonly graceMs?: number;
  /** How long SIGKILL may take before the rest are reported as survivors (default 5000 ms). */
  readonly killTimeoutMs?: number;
  /** End the rest of the tree when the child exits by itself (default true). */
  readonly sweepOnExit?: boolean;
  /** Aborting it closes the child; a string reason such as `'timeout'` becomes the exit reason. */
  readonly signal?: AbortSignal;
  /** Free-form tags shown in snapshots, e.g. `{ backend: 'claude' }`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The owner marker; default a fresh `<instance>/<n>`. */
  readonly owner?: string;
  readonly registry?: ProcessRegistry;
  readonly scanner?: ProcessScanner;
}

export const SPAWN_DEFAULTS = {
  stderrLines: 200,
  trackIntervalMs: 100,
  graceMs: 2000,
  killTimeoutMs: 5000,
} as const;

/**
 * Starts a program in its own session and process group and returns its owner. Rejects with a
 * TetherError (ERR_SPAWN_NOT_FOUND, ERR_SPAWN_PERMISSION, ERR_SPAWN_BAD_CWD, ERR_SPAWN_FAILED)
 * when it cannot start; a failed spawn leaves no process and no open pipe.
 *
 * @example
 * const child = await spawnProcess({ argv: ['/bin/sh', '-c', 'echo hi'], stdin: { text: '' } });
 * const report = await child.done;
 */
export async function spawnProcess(options: SpawnOptions): Promise<SupervisedChild> {
  const [file, ...args] = validateArgv(options.argv);
  if (options.cwd !== undefined) await checkCwd(options.cwd);
  const owner = options.owner ?? nextOwnerId();
  const stdinOption = options.stdin ?? 'ignore';
  const proc = spawn(file, args, {
    cwd: options.cwd,
    env: { ...(options.env ?? process.env), [OWNER_ENV]: owner },
    stdio: [stdinOption === 'ignore' ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    // Its own session, hence its own process group: the whole group can be signalled at once.
    detached: true,
  });
  await started(proc, file, options.cwd);
  if (typeof stdinOption === 'object') proc.stdin?.end(stdinOption.text);
  const rootStat = readStat(proc.pid as number) ?? {
    pid: proc.pid as number,
    comm: file,
    state: 'X',
    ppid: process.pid,
    pgid: proc.pid as number,
    sid: proc.pid as number,
    utimeTicks: 0,
    stimeTicks: 0,
    startTime: -1,
    rssPages: 0,
  };
  return new SupervisedChild({
    process: proc,
    argv: options.argv,
    tree: new ProcessTree(rootStat, owner, options.scanner ?? sharedScanner),
    registry: options.registry ?? defaultRegistry,
    labels: options.labels ?? {},
    graceMs: nonNegative(options.graceMs, SPAWN_DEFAULTS.graceMs),
    killTimeoutMs: nonNegative(options.killTimeoutMs, SPAWN_DEFAULTS.killTimeoutMs),
    trackIntervalMs: Math.max(5, nonNegative(options.trackIntervalMs, SPAWN_DEFAULTS.trackIntervalMs)),
    sweepOnExit: options.sweepOnExit ?? true,
    stderr: new LineRing(nonNegative(options.stderrLines, SPAWN_DEFAULTS.stderrLines)),
    onStderrLine: options.onStderrLine,
    signal: options.signal,
  });
}

function validateArgv(argv: readonly string[]): [string, ...string[]] {
  if (
    !Array.isArray(argv) ||
    argv.length === 0 ||
    argv.some((a) => typeof a !== 'string' || a.includes('\0'))
  ) {
    throw new TetherError(
      'ERR_INVALID_ARGUMENT',
      'argv must be a non-empty array of strings without NUL bytes',
    );
  }
  if ((argv[0] as string).length === 0)
    throw new TetherError('ERR_INVALID_ARGUMENT', 'argv[0] must name a program');
  return argv as [string, ...string[]];
}

async function checkCwd(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new TetherError(
      'ERR_SPAWN_BAD_CWD',
      `working directory ${cwd} does not exist or is not a directory`,
    );
  }
}

/** Waits for libuv's verdict: 'spawn' (running) or 'error' (nothing started; pipes released). */
function started(proc: ChildProcess, file: string, cwd: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onSpawn = (): void => {
      proc.off('error', onError);
      resolve();
    };
    const onError = (error: NodeJS.ErrnoException): void => {
      proc.off('spawn', onSpawn);
      for (const stream of [proc.stdin, proc.stdout, proc.stderr]) stream?.destroy();
      reject(spawnError(error, file, cwd));
    };
    proc.once('spawn', onSpawn);
    proc.once('error', onError);
  });
}

function spawnError(error: NodeJS.ErrnoException, file: string, cwd: string | undefined): TetherError {
  switch (error.code) {
    case 'ENOENT':
      return new TetherError('ERR_SPAWN_NOT_FOUND', `program ${file} was not found`, { cause: error });
    case 'EACCES':
      return new TetherError('ERR_SPAWN_PERMISSION', `program ${file} may not be executed (EACCES)`, {
        cause: error,
      });
    case 'ENOTDIR':
      return new TetherError('ERR_SPAWN_BAD_CWD', `working directory ${cwd} is not a directory`, {
        cause: error,
      });
    default:
      return new TetherError('ERR_SPAWN_FAILED', `program ${file} could not be started: ${error.message}`, {
        cause: error,
      });
  }
}

function nonNegative(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}
