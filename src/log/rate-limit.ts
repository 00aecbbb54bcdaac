/**
 * At most `perWindow` events per window: allow() says whether this one may pass, and when a new
 * window opens, takeDropped() hands over how many the last one refused (once).
 */
export class RateLimit {
  readonly #perWindow: number;
  readonly #windowMs: number;
  #windowStart = 0;
  #count = 0;
  #dropped = 0;

  constructor(perWindow: number, windowMs = 1000) {
    this.#perWindow = perWindow;
    this.#windowMs = windowMs;
  }

  allow(now = Date.now()): boolean {
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#count = 0;
    }
    if (this.#count < this.#perWindow) {
      this.#count++;
      return true;
    }
    this.#dropped++;
    return false;
  }

  takeDropped(): number {
    const dropped = this.#dropped;
    this.#dropped = 0;
    return dropped;
  }
}
