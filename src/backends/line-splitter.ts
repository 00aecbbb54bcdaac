/** Splits text chunks into complete lines; keeps a trailing partial line for the next chunk. */
export class LineSplitter {
  #partial = '';

  push(chunk: string): string[] {
    const text = this.#partial + chunk;
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  }

  /** The last line if it had no newline. */
  end(): string[] {
    const rest = this.#partial;
    this.#partial = '';
    return rest.length > 0 ? [rest] : [];
  }
}
