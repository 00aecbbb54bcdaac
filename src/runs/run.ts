import { StringDecoder } from 'node:string_decoder';
import type { Backend, OutputParser } from '../backends/types.ts';
import type { SupervisedChild } from '../process/child.ts';
import type { ExitReason, TeardownReport } from '../process/types.ts';
import type { Slot } from './admission.ts';
import { EventBuffer } from './event-buffer.ts';
import { END_ERROR_CODES, type RunEvent } from './events.ts';

export interface RunLimits {
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxOutputBytes: number;
  /** How long a streamed run waits for a client to come back after the last one left (0: end at once). */
  readonly detachGraceMs: number;
  /** How long a program may linger after printing its terminal event before it is ended. */
  readonly lingerMs: number;
}

export type RunStatus = 'running' | 'ended';

/** One client reading a run's stream. */
export interface Watcher {
  /** The client's socket is full (true) or drained (false): the program's stdout waits for it. */
  blocked(isBlocked: boolean): void;
  /** The client went away. Idempotent. */
  leave(): void;
}

/** What GET /v1/runs/:id shows. */
export interface RunView {
  readonly id: string;
  readonly backend: string;
  readonly status: RunStatus;
  readonly pid: number;
  readonly createdAt: string;
  readonly lastEventId: number;
  readonly exit: { code: number | null; signal: string | null; reason: ExitReason } | null;
  readonly durationMs: number | null;
  readonly forced: boolean | null;
  readonly killed: number | null;
}

/** Where stdout may still hold unread bytes after the tree is gone: at most this long. */
const DRAIN_MS = 1500;

/**
 * One run: owns its child (and so its tree), its slot and its event buffer. Every way a run can
 * end — completion, cancel, disconnect, timeouts, output cap, shutdown — goes through end().
 */
export class Run {
  readonly id: string;
  readonly backend: Backend;
  readonly client: string;
  readonly events: EventBuffer;
  /** Resolves when the `exit` event has been pushed. */
  readonly finished: Promise<RunView>;

  readonly #pid: number;
  /** The child and the parser, released once the run has finished: an ended run keeps only its record. */
  #child: SupervisedChild | undefined;
  #parser: OutputParser | undefined;
  readonly #slot: Slot;
  readonly #limits: RunLimits;
  readonly #createdAt = new Date();
  readonly #lifetime = new AbortController();
  #report: TeardownReport | undefined;
  #endedAt = 0;
  #watchers = 0;
  #blockedWatchers = 0;
  #streamed: boolean;
  #outputBytes = 0;
  #outputOpen = true;
  #idleTimer: NodeJS.Timeout | undefined;
  #detachTimer: NodeJS.Timeout | undefined;
  #lingerTimer: NodeJS.Timeout | undefined;
  #resolveFinished!: (view: RunView) => void;

  constructor(parts: {
    id: string;
    backend: Backend;
    client: string;
    child: SupervisedChild;
    slot: Slot;
    limits: RunLimits;
    eventBuffer: number;
    streamed: boolean;
  }) {
    this.id = parts.id;
    this.backend = parts.backend;
    this.client = parts.client;
    this.#child = parts.child;
    this.#pid = parts.child.pid;
    const parser = parts.backend.parser();
    this.#parser = parser;
    this.#slot = parts.slot;
    this.#limits = parts.limits;
    this.#streamed = parts.streamed;
    this.events = new EventBuffer(parts.eventBuffer);
    this.finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
    this.#push({ type: 'start', runId: this.id, pid: this.#pid, backend: this.backend.name });
    this.#wire(parts.child, parser);
  }

  get status(): RunStatus {
    return this.events.closed ? 'ended' : 'running';
  }

  /** The one teardown funnel: ends the tree with `reason` (the first reason wins) and resolves when gone. */
  end(reason: ExitReason): Promise<RunView> {
    void this.#child?.close(reason);
    return this.finished;
  }

  /**
   * A client is reading the stream. While its socket is full the program's stdout is paused, so a
   * live reader gets backpressure as from a pipe instead of a gap.
   */
  attach(): Watcher {
    this.#watchers++;
    clearTimeout(this.#detachTimer);
    let left = false;
    let blocked = false;
    const setBlocked = (isBlocked: boolean): void => {
      if (blocked === isBlocked) return;
      blocked = isBlocked;
      this.#blockedWatchers += isBlocked ? 1 : -1;
      this.#flow();
    };
    return {
      blocked: (isBlocked) => {
        if (!left) setBlocked(isBlocked);
      },
      leave: () => {
        if (left) return;
        setBlocked(false);
        left = true;
        this.#watchers--;
        if (this.#watchers === 0 && this.#streamed && this.status === 'running') this.#lastWatcherLeft();
      },
    };
  }

  #flow(): void {
    const stdout = this.#child?.stdout;
    if (!stdout) return;
    if (this.#blockedWatchers > 0) stdout.pause();
    else if (stdout.isPaused()) {
      stdout.resume();
      this.#resetIdle();
    }
  }

  view(): RunView {
    const report = this.#report;
    return {
      id: this.id,
      backend: this.backend.name,
      status: this.status,
      pid: this.#pid,
      createdAt: this.#createdAt.toISOString(),
      lastEventId: this.events.lastId,
      exit: report ? { code: report.code, signal: report.signal, reason: report.reason } : null,
      durationMs: report ? this.#endedAt - this.#createdAt.getTime() : null,
      forced: report?.forced ?? null,
      killed: report?.killed ?? null,
    };
  }

  #lastWatcherLeft(): void {
    if (this.#limits.detachGraceMs <= 0) {
      void this.end('disconnected');
      return;
    }
    this.#detachTimer = this.#timer(this.#limits.detachGraceMs, () => this.end('disconnected'));
  }

  #wire(child: SupervisedChild, parser: OutputParser): void {
    const stdout = child.stdout;
    // Bytes are counted as read; the decoder keeps a multi-byte character split across reads whole.
    const decoder = new StringDecoder('utf8');
    stdout.on('data', (chunk: Buffer) =>
      this.#output(chunk.length, () => parser.stdout(decoder.write(chunk))),
    );
    stdout.once('end', () => {
      const rest = decoder.end();
      if (rest) this.#output(0, () => parser.stdout(rest));
    });
    this.#timer(this.#limits.timeoutMs, () => this.end('timeout'));
    // A program held back by a slow reader is not idle: the wall timeout still bounds it.
    this.#idleTimer = this.#timer(this.#limits.idleTimeoutMs, () =>
      stdout.isPaused() ? this.#idleTimer?.refresh() : this.end('idle_timeout'),
    );
    const stdoutClosed = new Promise<void>((resolve) => stdout.once('close', resolve));
    void child.done.then(async (report) => {
      await Promise.race([stdoutClosed, delay(DRAIN_MS)]);
      this.#finish(report);
    });
  }

  #output(bytes: number, parse: () => RunEvent[]): void {
    if (!this.#outputOpen) return;
    this.#outputBytes += bytes;
    if (this.#outputBytes > this.#limits.maxOutputBytes) {
      this.#outputOpen = false;
      void this.end('output_limit');
      return;
    }
    this.#resetIdle();
    for (const event of parse()) this.#push(event);
    if (this.#parser?.finished && !this.#lingerTimer) {
      this.#lingerTimer = this.#timer(this.#limits.lingerMs, () => this.end('completed'));
    }
  }

  /** Called by the owner of the stderr line callback (see RunManager). */
  stderrLine(line: string): void {
    const parser = this.#parser;
    if (parser) this.#output(Buffer.byteLength(line) + 1, () => parser.stderr(line));
  }

  #resetIdle(): void {
    if (!this.#lifetime.signal.aborted) this.#idleTimer?.refresh();
  }

  #finish(report: TeardownReport): void {
    this.#report = report;
    this.#endedAt = Date.now();
    // A plain reason: the default AbortError's stack would keep the whole call chain (child, pipes) alive
    // for as long as this ended run is kept.
    this.#lifetime.abort('finished');
    if (this.#outputOpen && this.#parser)
      for (const event of this.#parser.end({ code: report.code, signal: report.signal })) this.#push(event);
    const code = END_ERROR_CODES[report.reason];
    if (code) this.#push({ type: 'error', code, message: `run ended: ${report.reason.replace('_', ' ')}` });
    this.#push({ type: 'exit', code: report.code, signal: report.signal, reason: report.reason });
    this.#slot.release();
    this.#child = undefined;
    this.#parser = undefined;
    this.#resolveFinished(this.view());
  }

  #push(event: RunEvent): void {
    this.events.push(event);
  }

  /** An unref'd timer cleared when the run finishes. */
  #timer(ms: number, fire: () => unknown): NodeJS.Timeout {
    const timer = setTimeout(fire, ms);
    timer.unref();
    this.#lifetime.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    return timer;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
