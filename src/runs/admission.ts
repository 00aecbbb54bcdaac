import { TetherError } from '../errors.ts';

export interface AdmissionLimits {
  readonly maxRuns: number;
  readonly maxRunsPerClient: number;
  readonly queueSize: number;
  readonly queueWaitMs: number;
}

/** A held run slot. release() is idempotent. */
export interface Slot {
  release(): void;
}

interface Waiter {
  readonly client: string;
  readonly grant: (slot: Slot) => void;
  readonly fail: (error: TetherError) => void;
}

/**
 * Run slots: a global maximum, a per-client maximum, and a bounded FIFO queue with a maximum wait.
 * A request that cannot get a slot is refused with ERR_CAPACITY (queue full) or ERR_QUEUE_TIMEOUT.
 */
export class Admission {
  readonly #limits: AdmissionLimits;
  readonly #perClient = new Map<string, number>();
  readonly #queue: Waiter[] = [];
  #running = 0;

  constructor(limits: AdmissionLimits) {
    this.#limits = limits;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** True when a new request would have to queue. */
  get atCapacity(): boolean {
    return this.#running >= this.#limits.maxRuns;
  }

  /** Refuses every queued request with `error` (shutdown); later acquires still work as before. */
  refuseQueued(error: TetherError): void {
    for (const waiter of [...this.#queue]) waiter.fail(error);
  }

  acquire(client: string, signal?: AbortSignal): Promise<Slot> {
    if (this.#canRun(client) && this.#queue.length === 0) return Promise.resolve(this.#take(client));
    if (this.#queue.length >= this.#limits.queueSize) {
      return Promise.reject(
        new TetherError(
          'ERR_CAPACITY',
          `all ${this.#limits.maxRuns} run slots are busy and the queue is full`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const at = this.#queue.indexOf(waiter);
        if (at >= 0) this.#queue.splice(at, 1);
      };
      const waiter: Waiter = {
        client,
        grant: (slot) => {
          done();
          resolve(slot);
        },
        fail: (error) => {
          done();
          reject(error);
        },
      };
      const timer = setTimeout(
        () =>
          waiter.fail(
            new TetherError('ERR_QUEUE_TIMEOUT', `no run slot within ${this.#limits.queueWaitMs} ms`),
          ),
        this.#limits.queueWaitMs,
      );
      timer.unref();
      const onAbort = (): void =>
        waiter.fail(new TetherError('ERR_CLOSED', 'the request went away while queued'));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #canRun(client: string): boolean {
    return (
      this.#running < this.#limits.maxRuns &&
      (this.#perClient.get(client) ?? 0) < this.#limits.maxRunsPerClient
    );
  }

  #take(client: string): Slot {
    this.#running++;
    this.#perClient.set(client, (this.#perClient.get(client) ?? 0) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#running--;
        const left = (this.#perClient.get(client) ?? 1) - 1;
        if (left > 0) this.#perClient.set(client, left);
        else this.#perClient.delete(client);
        this.#drain();
      },
    };
  }

  /** Grants freed slots to the first waiters whose client is under its own limit. */
  #drain(): void {
    for (const waiter of [...this.#queue]) {
      if (this.#running >= this.#limits.maxRuns) return;
      if (this.#canRun(waiter.client)) waiter.grant(this.#take(waiter.client));
    }
  }
}
