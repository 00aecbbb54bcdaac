import { closeSync, openSync, readSync } from 'node:fs';

// /proc files report size 0, so readFileSync stats then reads in growing chunks; one shared buffer
// and open/read/close is twice as fast, which matters when a scan reads every process on the host.
let buffer = Buffer.allocUnsafe(16384);

/** Reads a whole /proc file as latin1 text; undefined when it cannot be opened or read. */
export function readProcFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      length += n;
      if (n === 0 || length < buffer.length) break;
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    return buffer.toString('latin1', 0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
