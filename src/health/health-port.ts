import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TetherError } from '../errors.ts';
import type { HealthMonitor } from './monitor.ts';
import type { LivenessThreadData, SnapshotMessage, ThreadMessage } from './thread/liveness-thread.ts';

export interface HealthPortOptions {
  readonly monitor: HealthMonitor;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** How often the main thread hands the thread a fresh snapshot (default 500 ms). */
  readonly publishIntervalMs?: number;
}

// The thread's module sits next to this one, as .ts under tsx and .js once built.
const EXTENSION = extname(fileURLToPath(import.meta.url));
const THREAD = new URL(`./thread/liveness-thread${EXTENSION}`, import.meta.url);

/**
 * Built, the thread is plain JavaScript. From source under tsx, Node 20 does not carry the loader
 * into workers, so a tiny bootstrap registers tsx inside the worker first.
 */
function threadWorker(data: LivenessThreadData): Worker {
  const options = { workerData: data, name: 'tether-health' };
  if (EXTENSION !== '.ts') return new Worker(THREAD, options);
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const bootstrap = `import(${api}).then(({ register }) => { register(); return import(${JSON.stringify(THREAD.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * A second listener for /healthz and /readyz, served by a worker thread that reads the main loop's
 * heartbeat from shared memory: a watchdog gets a 503 with the stall duration while the main loop
 * is wedged, not a timeout. close() is idempotent.
 */
export class HealthPort {
  readonly port: number;
  readonly #worker: Worker;
  readonly #timer: NodeJS.Timeout;
  #closing: Promise<void> | undefined;

  private constructor(worker: Worker, port: number, monitor: HealthMonitor, intervalMs: number) {
    this.#worker = worker;
    this.port = port;
    const publish = (): void => {
      const message: SnapshotMessage = {
        health: monitor.liveness(),
        ready: monitor.readiness(),
        at: Date.now(),
      };
      worker.postMessage(message);
    };
    publish();
    this.#timer = setInterval(publish, intervalMs);
    this.#timer.unref();
  }

  static async start(options: HealthPortOptions): Promise<HealthPort> {
    const data: LivenessThreadData = {
      buffer: options.monitor.heartbeat.buffer,
      host: options.host,
      port: options.port,
      stallThresholdMs: options.monitor.settings.stallThresholdMs,
    };
    const worker = threadWorker(data);
    const port = await new Promise<number>((resolve, reject) => {
      const fail = (error: Error): void => reject(error);
      worker.once('error', fail);
      worker.once('exit', (code) => fail(new Error(`the health thread exited (${code})`)));
      worker.once('message', (message: ThreadMessage) => {
        worker.off('error', fail);
        if ('listening' in message) resolve(message.listening);
        else fail(new Error(message.error));
      });
    }).catch(async (error: Error) => {
      await worker.terminate();
      throw new TetherError(
        'ERR_CONFIG',
        `cannot serve the health port ${options.host}:${options.port}: ${error.message}`,
      );
    });
    worker.removeAllListeners('exit');
    // The thread must never keep the process alive on its own.
    worker.unref();
    return new HealthPort(worker, port, options.monitor, Math.max(50, options.publishIntervalMs ?? 500));
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      await this.#worker.terminate();
    })();
    return this.#closing;
  }
}
