import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A minimal WebSocket client for the benchmarks (RFC 6455 handshake, then server frames are read and only
 * counted or decoded as text): enough to read what websocketd relays, with no dependency.
 */
export class WsReader {
  readonly socket: Socket;
  bytes = 0;
  text = '';
  firstDataAt = 0;
  #buffer = Buffer.alloc(0);
  #upgraded = false;
  readonly #keepText: boolean;
  readonly #waiters = new Set<() => void>();

  private constructor(socket: Socket, keepText: boolean) {
    this.socket = socket;
    this.#keepText = keepText;
  }

  static open(port: number, path = '/', keepText = true): Promise<WsReader> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const reader = new WsReader(socket, keepText);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
        resolve(reader);
      });
      socket.on('data', (chunk: Buffer) => reader.#feed(chunk));
    });
  }

  #feed(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    if (!this.#upgraded) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.#upgraded = true;
      this.#buffer = this.#buffer.subarray(end + 4);
    }
    for (;;) {
      if (this.#buffer.length < 2) return;
      let length = (this.#buffer[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.#buffer.length < 4) return;
        length = this.#buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.#buffer.length < 10) return;
        length = Number(this.#buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.#buffer.length < offset + length) return;
      const payload = this.#buffer.subarray(offset, offset + length);
      if (this.firstDataAt === 0) this.firstDataAt = performance.now();
      this.bytes += payload.length;
      if (this.#keepText) this.text += payload.toString('utf8');
      this.#buffer = this.#buffer.subarray(offset + length);
      for (const waiter of [...this.#waiters]) waiter();
    }
  }

  waitForText(needle: string, timeoutMs = 5000): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.text.includes(needle)) finish(performance.now());
      };
      const finish = (at?: number): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (at !== undefined) resolve(at);
        else
          reject(
            new Error(`no ${needle} from websocketd within ${timeoutMs} ms: ${this.text.slice(0, 200)}`),
          );
      };
      const timer = setTimeout(() => finish(), timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  reset(): void {
    this.socket.resetAndDestroy();
  }
}
