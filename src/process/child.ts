import type { ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { TetherError } from '../errors.ts';
import type { LineRing } from './line-ring.ts';
import { readRssBytes, readStat } from './proc-stat.ts';
import type { ProcessRegistry, RegisteredChild } from './registry.ts';
import { tearDownTree } from './teardown.ts';
import type { ProcessTree, TrackedProcess } from './tree.ts';
import type { ChildSnapshot, ChildState, ExitReason, ExitStatus, TeardownReport } from './types.ts';
import { pause } from './wait-gone.ts';

/** What spawnProcess() hands to the owner it creates. */
export interface ChildParts {
  readonly process: ChildProcess;
  readonly argv: readonly string[];
  readonly tree: ProcessTree;
  readonly registry: ProcessRegistry;
  readonly labels: Readonly<Record<string, string>>;
  readonly graceMs: number;
  readonly killTimeoutMs: number;
  readonly trackIntervalMs: number;
  readonly sweepOnExit: boolean;
  readonly stderr: LineRing;
  readonly onStderrLine: ((line: string) => void) | undefined;
  readonly signal: AbortSignal | undefined;
}

/** How long stdout may stay open after the tree is gone before it is destroyed (nobody is reading it). */
const STDOUT_DRAIN_MS = 1000;

/**
 * The one owner of a started program and everything it starts. `close()` and `destroy()` are
 * idempotent and share one teardown; the child's natural exit sweeps the rest of its tree too.
 *
 * @example
 * await using child = await spawnProcess({ argv: ['/usr/bin/env', 'echo', 'hi'] });
 * for await (const chunk of child.stdout) process.stdout.write(chunk);
 * const report = await child.done; // { reason: 'completed', exitCode: 0, … }
 */
export class SupervisedChild implements RegisteredChild {
  readonly pid: number;
  readonly owner: string;
  readonly command: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The child's stdout, raw bytes. */
  readonly stdout: Readable;
  /** The child's stdin when spawned with `stdin: 'pipe'`, else null. */
  readonly stdin: Writable | null;
  /** Resolves when the root process exits (not when its pipes close). */
  readonly exited: Promise<ExitStatus>;
  /** Resolves once the whole tree is gone, however it ended. */
  readonly done: Promise<TeardownReport>;

  readonly #parts: ChildParts;
  readonly #lifetime = new AbortController();
  readonly #killNow = new AbortController();
  readonly #startedAt = Date.now();
  #exit: ExitStatus | undefined;
  #teardown: Promise<TeardownReport> | undefined;
  #resolveDone!: (report: TeardownReport) => void;
  #state: ChildState = 'running';

  constructor(parts: ChildParts) {
    const { process: proc, tree } = parts;
    this.#parts = parts;
    this.pid = tree.root.identity.pid;
    this.owner = tree.owner;
    this.command = basename(parts.argv[0] ?? '');
    this.labels = parts.labels;
    this.stdout = proc.stdout as Readable;
    this.stdin = proc.stdin;
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
        if (parts.sweepOnExit) void this.#end('completed', parts.graceMs);
      });
    });
    this.#wireStreams();
    this.#track();
    this.#listenForAbort(parts.signal);
    parts.registry.add(this);
  }

  get state(): ChildState {
    return this.#state;
  }

  /** The exit status once the root has exited, else undefined. */
  get exitStatus(): ExitStatus | undefined {
    return this.#exit;
  }

  /** Graceful end: stdin EOF, SIGTERM to the tree, `graceMs`, then SIGKILL. */
  close(reason: ExitReason = 'cancelled', options: { graceMs?: number } = {}): Promise<TeardownReport> {
    return this.#end(reason, options.graceMs ?? this.#parts.graceMs);
  }

  /** Immediate end: SIGKILL to the tree now. Joins (and hurries) a close already under way. */
  destroy(reason: ExitReason = 'cancelled'): Promise<TeardownReport> {
    this.#killNow.abort('destroy');
    return this.#end(reason, 0);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close('disposed');
  }

  /** Writes to stdin; refused with ERR_CLOSED once the child is closing or has no stdin pipe. */
  write(chunk: string | Uint8Array): boolean {
    if (this.#state !== 'running' || !this.stdin || this.stdin.writableEnded) {
      throw new TetherError('ERR_CLOSED', `child ${this.pid} (${this.command}) takes no more input`);
    }
    return this.stdin.write(chunk);
  }

  /** The last lines the child wrote to stderr (bounded). */
  stderrLines(): string[] {
    return this.#parts.stderr.lines();
  }

  /** Members of the tree still running (root included). */
  runningTree(): TrackedProcess[] {
    return this.#parts.tree.running();
  }

  /** Looks at /proc now (descendants and marked escapees found since the last look), then as runningTree(). */
  async refreshTree(): Promise<TrackedProcess[]> {
    await this.#parts.tree.refresh();
    return this.#parts.tree.running();
  }

  /** Every process ever recorded as part of the tree. */
  knownTree(): TrackedProcess[] {
    return this.#parts.tree.members();
  }

  snapshot(): ChildSnapshot {
    const { root } = this.#parts.tree;
    const stat = readStat(this.pid);
    return {
      pid: this.pid,
      pgid: root.pgid,
      startTime: root.identity.startTime,
      owner: this.owner,
      command: this.command,
      labels: this.labels,
      state: this.#state,
      ageMs: Date.now() - this.#startedAt,
      rssBytes: stat?.startTime === root.identity.startTime ? readRssBytes(this.pid) : 0,
      treeSize: this.#parts.tree.running().length,
    };
  }

  #end(reason: ExitReason, graceMs: number): Promise<TeardownReport> {
    if (!this.#teardown) {
      this.#state = 'closing';
      this.#teardown = this.#runTeardown(reason, graceMs, performance.now());
    }
    return this.#teardown;
  }

  async #runTeardown(reason: ExitReason, graceMs: number, startedAt: number): Promise<TeardownReport> {
    const { tree, killTimeoutMs, registry } = this.#parts;
    const outcome = await tearDownTree({
      tree,
      graceMs,
      killTimeoutMs,
      killNow: this.#killNow.signal,
      endStdin: () => this.stdin?.end(),
    });
    // The root is gone (or a reported survivor): its exit event follows at once, or never.
    if (!this.#exit && outcome.survivors === 0)
      await Promise.race([this.exited, pause(killTimeoutMs, this.#lifetime.signal, true)]);
    const report: TeardownReport = {
      pid: this.pid,
      owner: this.owner,
      reason,
      code: this.#exit?.code ?? null,
      signal: this.#exit?.signal ?? null,
      forced: outcome.forced,
      killed: outcome.killed,
      descendantsKilled: outcome.descendantsKilled,
      survivors: outcome.survivors,
      treeSize: tree.members().length,
      durationMs: performance.now() - startedAt,
    };
    // A plain reason, not an AbortError whose stack would keep this call chain reachable.
    this.#lifetime.abort('closed');
    this.#releasePipes();
    this.#state = 'closed';
    registry.remove(this, report);
    this.#resolveDone(report);
    return report;
  }

  #wireStreams(): void {
    const { process: proc, stderr, onStderrLine } = this.#parts;
    // A child that exits without reading its input must not crash us with EPIPE.
    proc.stdin?.on('error', () => {});
    proc.stdout?.on('error', () => {});
    proc.stderr?.on('error', () => {});
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => stderr.write(chunk, onStderrLine));
    proc.stderr?.once('end', () => stderr.end(onStderrLine));
  }

  /** Records descendants at a cadence while the child lives; the scans are shared between children. */
  #track(): void {
    const { tree, trackIntervalMs } = this.#parts;
    const refresh = (): void => {
      tree.refresh(trackIntervalMs / 2).catch(() => {});
    };
    // The first scan waits one interval: a run that ends sooner is swept by the teardown's own scans.
    const timer = setInterval(refresh, trackIntervalMs);
    timer.unref();
    this.#lifetime.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }

  #listenForAbort(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const onAbort = (): void => void this.close(abortReason(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true, signal: this.#lifetime.signal });
  }

  /** Once the tree is gone the pipes reach EOF; stdout gets a short drain for a slow reader, then is destroyed. */
  #releasePipes(): void {
    const { process: proc } = this.#parts;
    proc.stdin?.destroy();
    const out = proc.stdout;
    if (!out || out.destroyed || out.readableEnded) return;
    const timer = setTimeout(() => out.destroy(), STDOUT_DRAIN_MS);
    timer.unref();
    out.once('close', () => clearTimeout(timer));
  }
}

const REASONS: ReadonlySet<string> = new Set<ExitReason>([
  'completed',
  'cancelled',
  'disconnected',
  'timeout',
  'idle_timeout',
  'output_limit',
  'shutdown',
  'crashed',
  'aborted',
  'disposed',
]);

function abortReason(signal: AbortSignal): ExitReason {
  return typeof signal.reason === 'string' && REASONS.has(signal.reason)
    ? (signal.reason as ExitReason)
    : 'aborted';
}
