import type { RunEvent } from '../runs/events.ts';

/** Tolerant readers for fields of a CLI's JSON lines: a missing or odd field is empty, never a throw. */
export function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The sum of the numbers among `values`; undefined when there are none. */
export function sum(...values: unknown[]): number | undefined {
  const numbers = values.map(asNumber).filter((n): n is number => n !== undefined);
  return numbers.length === 0 ? undefined : numbers.reduce((a, b) => a + b, 0);
}

/** Running totals of usage over several steps (opencode, pi report per step). */
export class UsageTotals {
  #input: number | undefined;
  #output: number | undefined;
  #cost: number | undefined;

  add(input: unknown, output: unknown, cost: unknown): void {
    this.#input = sum(this.#input, input);
    this.#output = sum(this.#output, output);
    this.#cost = sum(this.#cost, cost);
  }

  get seen(): boolean {
    return this.#input !== undefined || this.#output !== undefined || this.#cost !== undefined;
  }

  event(): UsageEvent {
    return usageEvent(this.#input, this.#output, this.#cost);
  }
}

export type UsageEvent = Extract<RunEvent, { type: 'usage' }>;

/** A `usage` event with only the fields that are known. */
export function usageEvent(input: unknown, output: unknown, cost: unknown): UsageEvent {
  const inputTokens = asNumber(input);
  const outputTokens = asNumber(output);
  const costUsd = asNumber(cost);
  return {
    type: 'usage',
    ...(inputTokens !== undefined ? { inputTokens } : {}),
    ...(outputTokens !== undefined ? { outputTokens } : {}),
    ...(costUsd !== undefined ? { costUsd } : {}),
  };
}
