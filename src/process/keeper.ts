import { constants } from 'node:os';
import type { SupervisedChild } from './child.ts';
import { KEEPER_PID_ENV } from './keeper-watch.ts';
import { forget, recoverAndRecord } from './ledger.ts';
import { instanceOwner } from './owner-id.ts';
import { readStat } from './proc-stat.ts';
import { ZombieReaper } from './reaper.ts';
import { defaultRegistry } from './registry.ts';
import { signalProcess } from './signal.ts';
import { spawnProcess } from './spawn.ts';
import { pause } from './wait-gone.ts';

export type ReaperMode = 'auto' | 'on' | 'off';
export type RestartPolicy = 'restart' | 'exit';

export interface KeeperOptions {
  /** The server command, e.g. `[node, cli, 'serve', '--no-keeper', …]`. */
  readonly argv: readonly string[];
  readonly restart: RestartPolicy;
  readonly reaper: ReaperMode;
  readonly reaperIntervalMs?: number;
  readonly stateDir: string;
  /** How long a forwarded SIGTERM may take to drain before the server is destroyed. */
  readonly drainMs?: number;
  /** SIGTERM → SIGKILL grace for what a dead server left behind. */
  readonly sweepGraceMs?: number;
  readonly log: (line: string) => void;
}

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 10_000;
/** A server that ran this long resets the backoff. */
const HEALTHY_MS = 30_000;
/**
 * So does one that got as far as listening and lived this long: it was killed, not crash-looping, and
 * the next one should be back at once (a crash loop dies before it listens, or right after).
 */
const SERVED_MS = 1000;

/**
 * `tether serve`'s parent: a child subreaper (or PID 1) that reaps orphans by pid, forwards
 * SIGTERM/SIGINT/SIGHUP to the server, and when the server dies for any reason ends everything
 * carrying its marker while it restarts it with exponential backoff (or exits, by policy, once that
 * sweep is done).
 */
export class Keeper {
  readonly #options: KeeperOptions;
  readonly #reaper: ZombieReaper;
  #server: SupervisedChild | undefined;
  /** Whether the current server printed its `listening on` line. */
  #listening = false;
  #stopping: NodeJS.Signals | undefined;
  readonly #stopped = new AbortController();
  /** Sweeps of dead servers' leftovers still under way. */
  readonly #sweeps = new Set<Promise<void>>();

  constructor(options: KeeperOptions) {
    this.#options = options;
    this.#reaper = new ZombieReaper({
      intervalMs: options.reaperIntervalMs ?? 100,
      isOwnChild: (pid) => defaultRegistry.has(pid),
      // The server reports these in its metrics: one JSON line on its stdin, the keeper's lifeline pipe.
      onReaped: (total) => this.#report({ zombies_reaped: total }),
    });
  }

  /** Runs until the server stops for good; resolves with the exit code for the keeper. */
  async run(): Promise<number> {
    await this.#startReaper();
    const self = readStat(process.pid);
    const ended = await recoverAndRecord(this.#options.stateDir, {
      owner: instanceOwner,
      keeper: { pid: process.pid, startTime: self?.startTime ?? -1 },
      startedAt: new Date().toISOString(),
    });
    if (ended > 0)
      this.#options.log(`boot recovery: ended ${ended} process(es) left by a previous incarnation`);
    let backoff = BACKOFF_FIRST_MS;
    for (;;) {
      const started = Date.now();
      const server = await this.#startServer();
      const exit = await server.exited;
      this.#server = undefined;
      // What the dead server left is ended while the next one starts: it carries its own marker, and
      // its grace (SIGTERM, then SIGKILL) need not hold up the restart. The keeper's exit waits for it.
      this.#sweep(server);
      const crashed = !this.#stopping && !(exit.code === 0 && exit.signal === null);
      if (!crashed || this.#options.restart === 'exit') {
        await this.#sweepsDone();
        this.#reaper.stop();
        if (!crashed) await forget(this.#options.stateDir, instanceOwner);
        return exit.code ?? (exit.signal ? 128 + signalNumber(exit.signal) : 1);
      }
      const lived = Date.now() - started;
      if (lived > HEALTHY_MS || (this.#listening && lived > SERVED_MS)) backoff = BACKOFF_FIRST_MS;
      this.#options.log(
        `server ${server.pid} died (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}); ` +
          `ending what it left; restarting in ${backoff} ms`,
      );
      await pause(backoff, this.#stopped.signal, true);
      if (this.#stopping) {
        await this.#sweepsDone();
        this.#reaper.stop();
        return 0;
      }
      backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
    }
  }

  /** Ends what a server that has exited left behind (its tree and its marker), in the background. */
  #sweep(server: SupervisedChild): void {
    const sweep = server.done.then((report) => {
      if (report.descendantsKilled > 0 || report.survivors > 0)
        this.#options.log(
          `ended ${report.descendantsKilled} leftover process(es) of server ${report.pid}` +
            (report.survivors > 0 ? `; ${report.survivors} could not be ended` : ''),
        );
    });
    this.#sweeps.add(sweep);
    void sweep.finally(() => this.#sweeps.delete(sweep));
  }

  async #sweepsDone(): Promise<void> {
    await Promise.all(this.#sweeps);
  }

  /**
   * Tells the server something over its lifeline pipe. Best effort: a server that is dying or dead
   * takes no input, and that must never take the keeper down with it.
   */
  #report(report: Record<string, number>): void {
    const server = this.#server;
    if (!server || server.state !== 'running') return;
    try {
      server.write(`${JSON.stringify(report)}\n`);
    } catch {
      // The server went away between the check and the write: the next one gets the running total.
    }
  }

  /** Forwards a stop signal to the server (which drains); a second one hurries it. */
  stop(signal: NodeJS.Signals): void {
    const first = !this.#stopping;
    this.#stopping = signal;
    this.#stopped.abort();
    const server = this.#server;
    if (!server) return;
    const root = server.knownTree()[0]?.identity;
    if (root) signalProcess(root, signal);
    if (first) {
      const drain = setTimeout(() => void server.destroy('shutdown'), this.#options.drainMs ?? 60_000);
      drain.unref();
      void server.done.then(() => clearTimeout(drain));
    }
  }

  /** Starts a server and wires its output; `exited` and `done` on the result tell how it ends. */
  async #startServer(): Promise<SupervisedChild> {
    const server = await spawnProcess({
      argv: this.#options.argv,
      // The pipe is the server's lifeline: it reaches EOF when the keeper dies, however it dies.
      stdin: 'pipe',
      env: { ...process.env, [KEEPER_PID_ENV]: String(process.pid) },
      graceMs: this.#options.sweepGraceMs ?? 500,
      trackIntervalMs: 1000,
      onStderrLine: (line) => process.stderr.write(`${line}\n`),
    });
    this.#server = server;
    this.#listening = false;
    let head = '';
    const watchListening = (chunk: Buffer): void => {
      head = (head + chunk.toString('utf8')).slice(-4096);
      if (!head.includes('listening on ')) return;
      this.#listening = true;
      server.stdout.off('data', watchListening);
    };
    server.stdout.on('data', watchListening);
    server.stdout.pipe(process.stdout, { end: false });
    return server;
  }

  async #startReaper(): Promise<void> {
    const mode = this.#options.reaper;
    if (mode === 'off') return;
    const isPid1 = process.pid === 1;
    const failure = await this.#reaper.start({ subreaper: !isPid1 });
    if (!failure) return;
    const message = `reaper unavailable (${failure.message}); orphans go to PID 1, the marker sweep still runs`;
    if (mode === 'on') this.#options.log(`warning: reaper forced on but ${message}`);
    else this.#options.log(`warning: ${message}`);
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 1;
}
