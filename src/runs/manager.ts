import { randomUUID } from 'node:crypto';
import type { Backend } from '../backends/types.ts';
import { TetherError } from '../errors.ts';
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
}

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
  readonly #ended: string[] = [];
  readonly #creating = new Set<Promise<unknown>>();
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
    const slot = await this.admission.acquire(request.client, request.signal);
    let run: Run | undefined;
    try {
      const child = await spawnProcess({
        argv: plan.argv,
        cwd,
        env: plan.env,
        stdin: plan.stdin,
        graceMs: this.#options.killGraceMs,
        labels: { backend: backend.name },
        registry: this.#options.registry,
        onStderrLine: (line) => run?.stderrLine(line),
      });
      run = new Run({
        id: randomUUID(),
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
      throw error;
    }
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

  /** Ends one run (cancel). */
  end(id: string, reason: ExitReason): Promise<RunView> | undefined {
    return this.#runs.get(id)?.end(reason);
  }

  #track(run: Run): void {
    this.#runs.set(run.id, run);
    void run.finished.then(() => {
      this.#ended.push(run.id);
      const keep = this.#options.keepEnded ?? 1000;
      while (this.#ended.length > keep) this.#runs.delete(this.#ended.shift() as string);
    });
  }
}
