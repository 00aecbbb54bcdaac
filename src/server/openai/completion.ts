import type { RunEvent } from '../../runs/events.ts';
import { statusFor } from './errors.ts';

export interface Usage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

export interface Outcome {
  readonly content: string;
  readonly finishReason: 'stop' | 'length';
  readonly usage?: Usage;
  /** Set when the run failed: the OpenAI error to return instead. */
  readonly error?: { readonly code: string; readonly message: string; readonly status: number };
}

/**
 * Folds a run's events into a chat completion. Text deltas are joined as they are; whole-message texts
 * are separated by a blank line. The final answer is the CLI's `result` when it has one.
 */
export class CompletionState {
  #text = '';
  #lastWasDelta = true;
  #result: string | undefined;
  #usage: Usage | undefined;
  #error: { code: string; message: string; retryable: boolean } | undefined;
  #exit: Extract<RunEvent, { type: 'exit' }> | undefined;

  /** The content delta this event adds to a stream ('' when none). */
  add(event: RunEvent): string {
    switch (event.type) {
      case 'text': {
        // Deltas run on; a whole message (or the first delta after one) starts after a blank line.
        const separate = this.#text !== '' && (!event.delta || !this.#lastWasDelta);
        const piece = separate ? `\n\n${event.text}` : event.text;
        this.#lastWasDelta = event.delta === true;
        this.#text += piece;
        return piece;
      }
      case 'result':
        this.#result = event.text;
        return '';
      case 'usage': {
        const prompt = event.inputTokens ?? 0;
        const completion = event.outputTokens ?? 0;
        this.#usage = {
          prompt_tokens: prompt,
          completion_tokens: completion,
          total_tokens: prompt + completion,
        };
        return '';
      }
      case 'error':
        this.#error ??= { code: event.code, message: event.message, retryable: event.retryable === true };
        return '';
      case 'exit':
        this.#exit = event;
        return '';
      default:
        return '';
    }
  }

  get usage(): Usage | undefined {
    return this.#usage;
  }

  outcome(): Outcome {
    const content = this.#result ?? this.#text;
    const usage = this.#usage ? { usage: this.#usage } : {};
    const exit = this.#exit;
    if (exit?.reason === 'output_limit') return { content: this.#text, finishReason: 'length', ...usage };
    const error = this.#error;
    if (error) {
      return {
        content,
        finishReason: 'stop',
        ...usage,
        error: { code: error.code, message: error.message, status: statusFor(error.code, error.retryable) },
      };
    }
    if (this.#result === undefined && exit && exit.code !== 0) {
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      const message = `the agent exited with ${how} and no result`;
      return {
        content,
        finishReason: 'stop',
        ...usage,
        error: { code: 'ERR_AGENT_FAILED', message, status: 502 },
      };
    }
    return { content, finishReason: 'stop', ...usage };
  }
}
