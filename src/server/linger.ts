import type { Socket } from 'node:net';

/** How long a closing connection keeps reading what its client still sends, at most. */
const LINGER_MS = 2000;
/** And how much of it: past this the connection is reset anyway. */
const LINGER_BYTES = 16 * 1024 * 1024;

const lingering = new WeakSet<Socket>();

/**
 * Lets a client finish sending before its connection closes. A server that answers before it has
 * read the body (a 413 on Content-Length, a refusal before parsing) and then closes the socket makes
 * the kernel reset the connection when the rest of the body arrives, and the reset makes the client's
 * kernel drop the answer it has not read yet: the client sees ECONNRESET or EPIPE, not the 413.
 *
 * Like a lingering close in other servers: when Node's HTTP server closes this socket after the
 * answer, it sends the answer and FIN, then reads and discards what still comes until the client
 * closes its side, for at most `ms` and `bytes`, then closes.
 */
export function lingerBeforeClose(socket: Socket, ms = LINGER_MS, bytes = LINGER_BYTES): void {
  if (lingering.has(socket) || socket.destroyed) return;
  lingering.add(socket);
  socket.destroySoon = () => {
    let left = bytes;
    const close = (): void => {
      clearTimeout(timer);
      socket.destroy();
    };
    const timer = setTimeout(close, ms);
    timer.unref();
    socket.on('data', (chunk: Buffer) => {
      left -= chunk.length;
      if (left <= 0) close();
    });
    socket.once('end', close);
    socket.once('close', () => clearTimeout(timer));
    socket.end();
    socket.resume();
  };
}
