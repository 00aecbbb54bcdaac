/**
 * Splits a byte stream into lines and keeps the last `capacity` of them. Lines longer than
 * `maxLineLength` are cut (the rest of such a line is dropped), so memory stays bounded whatever
 * the child writes.
 */
export class LineRing {
  readonly capacity: number;
  readonly maxLineLength: number;
  readonly #lines: string[] = [];
  #partial = '';
  #dropping = false;
  #total = 0;

  constructor(capacity: number, maxLineLength = 4096) {
    this.capacity = Math.max(0, capacity);
    this.maxLineLength = maxLineLength;
  }

  /** Feeds a chunk; calls `onLine` for every completed line. */
  write(chunk: string, onLine?: (line: string) => void): void {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      this.#append(chunk.slice(start, nl));
      this.#finish(onLine);
      start = nl + 1;
    }
    this.#append(chunk.slice(start));
  }

  /** Flushes a last line that had no newline. */
  end(onLine?: (line: string) => void): void {
    if (this.#partial.length > 0 || this.#dropping) this.#finish(onLine);
  }

  lines(): string[] {
    return [...this.#lines];
  }

  /** How many lines were seen in all, including those the ring no longer holds. */
  get total(): number {
    return this.#total;
  }

  #append(piece: string): void {
    if (this.#dropping || piece.length === 0) return;
    const room = this.maxLineLength - this.#partial.length;
    if (piece.length > room) {
      this.#partial += piece.slice(0, room);
      this.#dropping = true;
    } else {
      this.#partial += piece;
    }
  }

  #finish(onLine?: (line: string) => void): void {
    const line = this.#partial;
    this.#partial = '';
    this.#dropping = false;
    this.#total++;
    if (this.capacity > 0) {
      this.#lines.push(line);
      if (this.#lines.length > this.capacity) this.#lines.shift();
    }
    onLine?.(line);
  }
}
