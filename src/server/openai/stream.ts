import type { ServerResponse } from 'node:http';
import type { Run } from '../../runs/run.ts';
import { pumpRunEvents } from '../event-pump.ts';
import { chunk, type ResponseIdentity, usageChunk } from './chunks.ts';
import { CompletionState } from './completion.ts';
import { openAIError } from './errors.ts';

/**
 * Streams a run as `chat.completion.chunk`s ending in `data: [DONE]`; a failed run ends with an
 * `error` object before `[DONE]` (the openai client throws it). Backpressure and departure work as
 * for /v1/runs: a full socket pauses the program's stdout, and a client that leaves ends the run.
 */
export function streamCompletion(
  run: Run,
  res: ServerResponse,
  who: ResponseIdentity,
  includeUsage: boolean,
): void {
  const state = new CompletionState();
  const send = (value: object | string): boolean =>
    res.write(`data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`);
  pumpRunEvents(run, res, 0, {
    begin: () => send(chunk(who, { role: 'assistant', content: '' })),
    write: (_id, event) => {
      const piece = state.add(event);
      return piece === '' || send(chunk(who, { content: piece }));
    },
    end: (_id, event) => {
      state.add(event);
      const outcome = state.outcome();
      if (outcome.error) {
        send(openAIError(outcome.error.code, outcome.error.message, outcome.error.status));
      } else {
        send(chunk(who, {}, outcome.finishReason));
        if (includeUsage) send(usageChunk(who, outcome.usage));
      }
      send('[DONE]');
      res.end();
    },
  });
}

/** Waits for the run's end while the client stays; its departure ends the run (detach grace 0). */
export function awaitCompletion(run: Run, res: ServerResponse): Promise<CompletionState | undefined> {
  const state = new CompletionState();
  const watcher = run.attach();
  return new Promise((resolve) => {
    let last = 0;
    const onClose = (): void => {
      if (res.writableEnded) return;
      unsubscribe();
      watcher.leave();
      resolve(undefined);
    };
    const pump = (): void => {
      for (const { id, event } of run.events.since(last)) {
        last = id;
        state.add(event);
        if (event.type === 'exit') {
          unsubscribe();
          res.off('close', onClose);
          watcher.leave();
          resolve(state);
          return;
        }
      }
    };
    const unsubscribe = run.events.subscribe(pump);
    res.once('close', onClose);
    pump();
  });
}
