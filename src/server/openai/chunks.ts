import type { Usage } from './completion.ts';

/** The fields every chunk and completion of one response share. */
export interface ResponseIdentity {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export function chunk(
  who: ResponseIdentity,
  delta: { role?: 'assistant'; content?: string },
  finishReason: 'stop' | 'length' | null = null,
): object {
  return {
    ...who,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** The last chunk with `stream_options.include_usage`: no choices, the usage. */
export function usageChunk(who: ResponseIdentity, usage: Usage | undefined): object {
  return { ...who, object: 'chat.completion.chunk', choices: [], usage: usage ?? null };
}

export function completion(
  who: ResponseIdentity,
  content: string,
  finishReason: 'stop' | 'length',
  usage: Usage | undefined,
): object {
  return {
    ...who,
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    ...(usage ? { usage } : {}),
  };
}
