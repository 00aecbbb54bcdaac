import type { RunEvent, SequencedEvent } from './events.ts';

/** What an event is taken to weigh: its text, or a small fixed amount for the rest. */
function weight(event: RunEvent): number {
  if (event.type === 'stdout' || event.type === 'stderr') return event.data.length;
  if (event.type === 'text') return event.text.length;
  return 64;
}

/**
 * A run's events, numbered from 1, the last `capacity` (and at most about `maxBytes` of output) kept
 * for replay. Readers pull by id, so a slow reader never grows memory: it is told of a `gap` when the
 * buffer rolled past it.
 */
export class EventBuffer {
  readonly capacity: number;
  readonly maxBytes: number;
  readonly #events: SequencedEvent[] = [];
  readonly #listeners = new Set<() => void>();
  #nextId = 1;
  #bytes = 0;
  #closed = false;

  constructor(capacity: number, maxBytes = 8 * 1024 * 1024) {
    this.capacity = Math.max(1, capacity);
    this.maxBytes = maxBytes;
  }

  push(event: RunEvent): void {
    if (this.#closed) return;
    this.#events.push({ id: this.#nextId++, event });
    this.#bytes += weight(event);
    while (this.#events.length > 1 && (this.#events.length > this.capacity || this.#bytes > this.maxBytes)) {
      this.#bytes -= weight((this.#events.shift() as SequencedEvent).event);
    }
    if (event.type === 'exit') this.#closed = true;
    for (const listener of [...this.#listeners]) listener();
  }

  /** True once the `exit` event was pushed: nothing follows it. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Roughly how much output the kept events hold. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Drops every kept event but the last (a finished run's `exit`), so an ended run's output stops
   * costing memory; a later replay is told of a `gap`, then gets the `exit`.
   */
  compact(): void {
    const last = this.#events.at(-1);
    this.#events.length = 0;
    if (last) this.#events.push(last);
    this.#bytes = last ? weight(last.event) : 0;
  }

  get lastId(): number {
    return this.#nextId - 1;
  }

  /** Events after `afterId`, preceded by a `gap` event when some of them are no longer kept. */
  since(afterId: number): SequencedEvent[] {
    const first = this.#events[0];
    if (!first) return [];
    const from = Math.max(afterId + 1, 1);
    if (from < first.id) {
      return [{ id: first.id - 1, event: { type: 'gap', missed: first.id - from } }, ...this.#events];
    }
    return this.#events.slice(from - first.id);
  }

  /** Calls `listener` after every push; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
