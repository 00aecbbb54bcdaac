import type { Readable } from 'node:stream';

/** Collects a child's stdout as text and lets a test wait for a line, with a bounded deadline. */
export class Output {
  text = '';
  ended = false;
  readonly #waiters = new Set<() => void>();

  constructor(stream: Readable) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      // Flood fixtures write megabytes: keep only the tail.
      this.text = (this.text + chunk).slice(-65536);
      this.#wake();
    });
    stream.once('end', () => {
      this.ended = true;
      this.#wake();
    });
  }

  /** Resolves when `needle` has appeared; rejects after `timeoutMs` or at EOF without it. */
  waitFor(needle: string, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.text.includes(needle)) finish();
        else if (this.ended)
          finish(new Error(`stdout ended without ${JSON.stringify(needle)}: ${this.text}`));
      };
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => finish(new Error(`no ${JSON.stringify(needle)} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.add(check);
      check();
    });
  }

  /** Resolves once stdout reached EOF (bounded). */
  waitForEnd(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!this.ended) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`stdout still open after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** Pids the fixture announced with `grandchild <pid>` lines. */
  grandchildren(): number[] {
    return [...this.text.matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]));
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
