import { randomUUID } from 'node:crypto';
import type { Backend } from '../backends/types.ts';
import { TetherError } from '../errors.ts';
import { type Logger, silentLogger } from '../log/logger.ts';
import { RateLimit } from '../log/rate-limit.ts';
import { type ProcessRegistry, spawnProcess } from '../process/index.ts';
import type { ExitReason } from '../process/types.ts';
import { Admission, type AdmissionLimits } from './admission.ts';
import { Run, type RunView } from './run.ts';
import type { RunOptions } from './run-options.ts';
import { resolveWorkspace } from './workspace.ts';

export interface RunManagerOptions {
  readonly backends: ReadonlyMap<string, Backend>;
  readonly admission: AdmissionLimits;
  readonly workspaceRoots: readonly string[];
  readonly eventBuffer: number;
  readonly killGraceMs: number;
  readonly lingerMs?: number;
  readonly registry: ProcessRegistry;
  /** How many ended runs stay queryable (oldest forgotten first). */
  readonly keepEnded?: number;
  /**
   * How much output ended runs may keep for replay, all together (default 8 MiB): past it the oldest
   * ended runs' events are dropped (their view and `exit` stay).
   */
  readonly endedEventBytes?: number;
  /** Run start and end at info, child stderr at debug (rate-limited); silent by default. */
  readonly logger?: Logger;
}

/** Linux's MAX_ARG_STRLEN: one argument (with its NUL) may be at most 32 pages. */
const MAX_ARGUMENT_BYTES = 32 * 4096;

/** A prompt passed as an argument beyond the kernel's limit would fail the spawn (E2BIG): refuse it clearly. */
function checkArgumentLengths(argv: readonly string[]): void {
  for (const arg of argv) {
    const bytes = Buffer.byteLength(arg) + 1;
    if (bytes > MAX_ARGUMENT_BYTES)
      throw new TetherError(
        'ERR_PROMPT_TOO_LONG',
        `an argument of ${bytes} bytes is over the kernel's ${MAX_ARGUMENT_BYTES}-byte limit; this backend passes the prompt as an argument (use input: stdin)`,
      );
  }
}

/** Child stderr lines logged per run and second (the rest are counted, then reported). */
const STDERR_LINES_PER_SECOND = 20;

export interface CreateRun {
  readonly backend: string;
  readonly prompt: string;
  readonly cwd?: string;
  readonly options: RunOptions;
  readonly client: string;
  /** True when the creating request streams the run: its departure ends the run. */
  readonly streamed: boolean;
  /** Aborted when the creating request goes away while it waits in the queue. */
  readonly signal?: AbortSignal;
}

/** Creates, finds and ends runs; owns admission. Shutdown ends every run through the same funnel. */
export class RunManager {
  readonly admission: Admission;
  readonly #options: RunManagerOptions;
  readonly #runs = new Map<string, Run>();
  readonly #ended: Run[] = [];
  /** Ended runs whose events still hold output, oldest first, and what they hold together. */
  readonly #replayable: Run[] = [];
  #replayableBytes = 0;
  readonly #creating = new Set<Promise<unknown>>();
  readonly #endListeners = new Set<(run: Run, view: RunView) => void>();
  #draining = false;

  constructor(options: RunManagerOptions) {
    this.#options = options;
    this.admission = new Admission(options.admission);
  }

  get draining(): boolean {
    return this.#draining;
  }

  get live(): number {
    let live = 0;
    for (const run of this.#runs.values()) if (run.status === 'running') live++;
    return live;
  }

  get(id: string): Run | undefined {
    return this.#runs.get(id);
  }

  create(request: CreateRun): Promise<Run> {
    const creating = this.#create(request);
    this.#creating.add(creating);
    const forget = (): void => {
      this.#creating.delete(creating);
    };
    creating.then(forget, forget);
    return creating;
  }

  async #create(request: CreateRun): Promise<Run> {
    if (this.#draining)
      throw new TetherError('ERR_SHUTTING_DOWN', 'the server is shutting down and takes no new runs');
    const backend = this.#options.backends.get(request.backend);
    if (!backend)
      throw new TetherError('ERR_BACKEND_NOT_FOUND', `no backend named ${JSON.stringify(request.backend)}`);
    const cwd = await resolveWorkspace(request.cwd, this.#options.workspaceRoots);
    const plan = backend.launch({ prompt: request.prompt, cwd, model: request.options.model });
    checkArgumentLengths(plan.argv);
    const slot = await this.admission.acquire(request.client, request.signal);
    const id = randomUUID();
    const log = (this.#options.logger ?? silentLogger()).child({ runId: id, backend: backend.name });
    const stderr = this.#stderrLogger(log);
    let run: Run | undefined;
    try {
      const child = await spawnProcess({
        argv: plan.argv,
        cwd,
        env: plan.env,
        stdin: plan.stdin,
        graceMs: this.#options.killGraceMs,
        labels: { backend: backend.name, run: id },
        registry: this.#options.registry,
        onStderrLine: (line) => {
          run?.stderrLine(line);
          stderr(line);
        },
      });
      run = new Run({
        id,
        backend,
        client: request.client,
        child,
        slot,
        eventBuffer: this.#options.eventBuffer,
        streamed: request.streamed,
        limits: {
          timeoutMs: request.options.timeoutS * 1000,
          idleTimeoutMs: request.options.idleTimeoutS * 1000,
          maxOutputBytes: request.options.maxOutputBytes,
          detachGraceMs: request.options.detachGraceS * 1000,
          lingerMs: this.#options.lingerMs ?? 2000,
        },
      });
    } catch (error) {
      slot.release();
      log.warn({ err: error instanceof TetherError ? error.code : String(error) }, 'run failed to start');
      throw error;
    }
    log.info({ childPid: run.view().pid, client: request.client }, 'run started');
    void run.finished.then((view) => {
      const dropped = stderr.flush();
      log.info(
        {
          reason: view.exit?.reason,
          code: view.exit?.code,
          signal: view.exit?.signal,
          durationMs: view.durationMs,
          forced: view.forced,
          killed: view.killed,
          ...(dropped ? { stderrDropped: dropped } : {}),
        },
        'run ended',
      );
    });
    this.#track(run);
    // Shutdown began while this run was spawning: it ends with the others.
    if (this.#draining) void run.end('shutdown');
    return run;
  }

  /** Stops taking runs, lets live ones finish until `graceMs`, then ends the rest with `shutdown`. */
  async shutdown(graceMs: number): Promise<RunView[]> {
    this.#draining = true;
    this.admission.refuseQueued(
      new TetherError('ERR_SHUTTING_DOWN', 'the server is shutting down and takes no new runs'),
    );
    await Promise.allSettled([...this.#creating]);
    const live = [...this.#runs.values()].filter((run) => run.status === 'running');
    const all = Promise.all(live.map((run) => run.finished));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
      timer.unref();
    });
    await Promise.race([all, deadline]);
    clearTimeout(timer);
    return Promise.all(live.map((run) => run.end('shutdown')));
  }

  /** Calls `listener` once per run when it has ended (metrics, logs); returns the unsubscribe. */
  onRunEnded(listener: (run: Run, view: RunView) => void): () => void {
    this.#endListeners.add(listener);
    return () => this.#endListeners.delete(listener);
  }

  /** Ends one run (cancel). */
  end(id: string, reason: ExitReason): Promise<RunView> | undefined {
    return this.#runs.get(id)?.end(reason);
  }

  /** Logs child stderr at debug, at most STDERR_LINES_PER_SECOND a second; flush() returns the dropped count. */
  #stderrLogger(log: Logger): ((line: string) => void) & { flush(): number } {
    const limit = new RateLimit(STDERR_LINES_PER_SECOND);
    const write = (line: string): void => {
      if (!log.isLevelEnabled('debug') || !limit.allow()) return;
      const dropped = limit.takeDropped();
      if (dropped > 0) log.debug({ dropped }, 'stderr lines dropped by the rate limit');
      log.debug({ stderr: line }, 'stderr');
    };
    return Object.assign(write, { flush: () => limit.takeDropped() });
  }

  #track(run: Run): void {
    this.#runs.set(run.id, run);
    void run.finished.then((view) => {
      for (const listener of this.#endListeners) listener(run, view);
      this.#ended.push(run);
      const keep = this.#options.keepEnded ?? 1000;
      while (this.#ended.length > keep) this.#runs.delete((this.#ended.shift() as Run).id);
      this.#replayable.push(run);
      this.#replayableBytes += run.events.bytes;
      // Both lists drop their oldest first, so the replayable runs are the newest of the ended ones:
      // past the byte budget the oldest lose their output, and a forgotten run leaves both lists.
      const budget = this.#options.endedEventBytes ?? 8 * 1024 * 1024;
      while (
        this.#replayable.length > 0 &&
        (this.#replayableBytes > budget || this.#replayable.length > this.#ended.length)
      ) {
        const oldest = this.#replayable.shift() as Run;
        this.#replayableBytes -= oldest.events.bytes;
        oldest.events.compact();
      }
    });
  }
}
