import { connect } from 'node:net';

export interface RawRequest {
  /** The bytes to send, all of them: request line, headers, body. */
  readonly bytes: Buffer;
  /** Send this many bytes, then drip the rest one per `dripMs`. */
  readonly dripAfter?: number;
  readonly dripMs?: number;
  /** Send only this many bytes, then half-close the socket (FIN): a half-open client. */
  readonly halfCloseAfter?: number;
}

export interface RawAnswer {
  /** 0 when the server closed without an HTTP answer. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly ms: number;
}

/** Sends one raw HTTP/1.1 request over a fresh socket and reads the answer until the server closes or it is complete. */
export function sendRaw(port: number, request: RawRequest, timeoutMs = 15_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let drip: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      clearInterval(drip);
      socket.destroy();
      resolve({ ...parse(Buffer.concat(chunks)), ms: performance.now() - started });
    };
    const guard = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (complete(Buffer.concat(chunks))) finish();
    });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('connect', () => {
      const { bytes } = request;
      if (request.halfCloseAfter !== undefined) {
        socket.end(bytes.subarray(0, request.halfCloseAfter));
        return;
      }
      if (request.dripAfter === undefined) {
        socket.write(bytes);
        return;
      }
      socket.write(bytes.subarray(0, request.dripAfter));
      let at = request.dripAfter;
      drip = setInterval(() => {
        if (at >= bytes.length || socket.destroyed) return clearInterval(drip);
        socket.write(bytes.subarray(at, at + 1));
        at++;
      }, request.dripMs ?? 100);
    });
  });
}

function split(raw: Buffer): { head: string; body: Buffer } | undefined {
  const end = raw.indexOf('\r\n\r\n');
  return end < 0 ? undefined : { head: raw.subarray(0, end).toString('latin1'), body: raw.subarray(end + 4) };
}

function complete(raw: Buffer): boolean {
  const parts = split(raw);
  if (!parts) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(parts.head);
  return length ? parts.body.length >= Number(length[1]) : false;
}

function parse(raw: Buffer): { status: number; headers: Record<string, string>; body: string } {
  const parts = split(raw);
  if (!parts) return { status: 0, headers: {}, body: raw.toString('utf8') };
  const [statusLine, ...lines] = parts.head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0),
    headers,
    body: parts.body.toString('utf8'),
  };
}

/** A request with Content-Length and Connection: close. */
export function httpRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Buffer {
  const payload =
    body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined) lines.push(`Content-Length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}
