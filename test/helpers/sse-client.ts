import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface SseEvent {
  readonly id: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** A real SSE client over node:http that parses frames as they arrive. */
export class SseStream {
  readonly events: SseEvent[] = [];
  status = 0;
  headers: IncomingMessage['headers'] = {};
  body = '';
  ended = false;
  socket: Socket | undefined;
  readonly #waiters = new Set<() => void>();
  #buffer = '';

  static open(
    url: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<SseStream> {
    const stream = new SseStream();
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, {
        method: init.method ?? 'GET',
        headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...init.headers },
      });
      req.on('socket', (socket) => {
        stream.socket = socket;
      });
      req.on('error', (error) => (stream.status ? stream.#end() : reject(error)));
      req.on('response', (res) => {
        stream.status = res.statusCode ?? 0;
        stream.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => stream.#feed(chunk));
        res.on('end', () => stream.#end());
        res.on('error', () => stream.#end());
        res.on('close', () => stream.#end());
        resolve(stream);
      });
      req.end(init.body === undefined ? undefined : JSON.stringify(init.body));
    });
  }

  /** Resolves with the first event matching `predicate` (bounded). */
  waitFor(predicate: (event: SseEvent) => boolean, timeoutMs = 5000): Promise<SseEvent> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.events.find(predicate);
        if (found) finish(found);
        else if (this.ended)
          finish(undefined, new Error(`stream ended without it: ${JSON.stringify(this.events)}`));
      };
      const finish = (event?: SseEvent, error?: Error): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (event) resolve(event);
        else reject(error);
      };
      const timer = setTimeout(
        () => finish(undefined, new Error(`no such event within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.add(check);
      check();
    });
  }

  waitForType(type: string, timeoutMs?: number): Promise<SseEvent> {
    return this.waitFor((event) => event.type === type, timeoutMs);
  }

  /** Text of every `stdout` event so far. */
  stdout(): string {
    return this.events
      .filter((e) => e.type === 'stdout')
      .map((e) => e.data.data as string)
      .join('');
  }

  /** Ends the connection with a TCP RST: no FIN, as when a client machine vanishes. */
  abort(): void {
    this.socket?.resetAndDestroy();
  }

  /** Closes the connection cleanly (FIN). */
  close(): void {
    this.socket?.destroy();
  }

  #feed(chunk: string): void {
    this.body += chunk;
    this.#buffer += chunk;
    for (let at = this.#buffer.indexOf('\n\n'); at >= 0; at = this.#buffer.indexOf('\n\n')) {
      const frame = this.#buffer.slice(0, at);
      this.#buffer = this.#buffer.slice(at + 2);
      let id = 0;
      let type = 'message';
      let data = '';
      for (const line of frame.split('\n')) {
        if (line.startsWith('id: ')) id = Number(line.slice(4));
        else if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) this.events.push({ id, type, data: JSON.parse(data) });
    }
    this.#wake();
  }

  #end(): void {
    this.ended = true;
    this.#wake();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** A plain JSON request; resolves with status, headers and the parsed body. */
export async function requestJson(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    body: init.body,
    headers: init.body === undefined ? init.headers : { 'content-type': 'application/json', ...init.headers },
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { raw: text };
  }
  return { status: response.status, headers: response.headers, body };
}
