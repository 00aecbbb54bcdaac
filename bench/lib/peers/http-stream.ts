import { type IncomingHttpHeaders, request } from 'node:http';
import type { Socket } from 'node:net';

/** One streamed HTTP response read for the benchmarks: wire bytes counted, text kept when asked. */
export class HttpStream {
  socket: Socket | undefined;
  status = 0;
  headers: IncomingHttpHeaders = {};
  bytes = 0;
  text = '';
  ended = false;
  readonly #keepText: boolean;
  readonly #waiters = new Set<() => void>();

  private constructor(keepText: boolean) {
    this.#keepText = keepText;
  }

  static open(
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: string; keepText?: boolean },
  ): Promise<HttpStream> {
    const stream = new HttpStream(init.keepText ?? true);
    return new Promise((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false });
      req.on('socket', (socket) => {
        stream.socket = socket;
      });
      req.on('error', (error) => (stream.status ? (stream.ended = true) : reject(error)));
      req.on('response', (res) => {
        stream.status = res.statusCode ?? 0;
        stream.headers = res.headers;
        res.on('data', (chunk: Buffer) => {
          stream.bytes += chunk.length;
          if (stream.#keepText) stream.text += chunk.toString('utf8');
          for (const waiter of [...stream.#waiters]) waiter();
        });
        const end = (): void => {
          stream.ended = true;
          for (const waiter of [...stream.#waiters]) waiter();
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
        resolve(stream);
      });
      req.end(init.body);
    });
  }

  /** Resolves with the time (performance.now) the text first contains `needle`. */
  waitForText(needle: string, timeoutMs = 5000): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.text.includes(needle)) finish(performance.now());
        else if (this.ended)
          finish(undefined, new Error(`no ${JSON.stringify(needle)} in ${this.text.slice(0, 300)}`));
      };
      const finish = (at?: number, error?: Error): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (at !== undefined) resolve(at);
        else reject(error);
      };
      const timer = setTimeout(
        () => finish(undefined, new Error(`no ${JSON.stringify(needle)} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.add(check);
      check();
    });
  }

  reset(): void {
    this.socket?.resetAndDestroy();
  }
}
