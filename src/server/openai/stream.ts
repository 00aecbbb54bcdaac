import type { ServerResponse } from 'node:http';
import type { Run } from '../../runs/run.ts';
import { chunk, type ResponseIdentity, usageChunk } from './chunks.ts';
import { CompletionState } from './completion.ts';
import { openAIError } from './errors.ts';

const HEARTBEAT_MS = 15_000;

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
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-tether-run-id': run.id,
  });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  const state = new CompletionState();
  const watcher = run.attach();
  let last = 0;
  let waiting = false;
  let done = false;
  const send = (value: object | string): boolean =>
    res.write(`data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`);
  send(chunk(who, { role: 'assistant', content: '' }));
  const finish = (): void => {
    const outcome = state.outcome();
    if (outcome.error) {
      send(openAIError(outcome.error.code, outcome.error.message, outcome.error.status));
    } else {
      send(chunk(who, {}, outcome.finishReason));
      if (includeUsage) send(usageChunk(who, outcome.usage));
    }
    send('[DONE]');
    res.end();
    cleanup();
  };
  const pump = (): void => {
    if (waiting || done) return;
    for (const { id, event } of run.events.since(last)) {
      last = id;
      const piece = state.add(event);
      if (event.type === 'exit') return finish();
      if (piece === '') continue;
      if (!send(chunk(who, { content: piece }))) {
        waiting = true;
        watcher.blocked(true);
        res.once('drain', () => {
          waiting = false;
          watcher.blocked(false);
          pump();
        });
        return;
      }
    }
  };
  const unsubscribe = run.events.subscribe(pump);
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const cleanup = (): void => {
    if (done) return;
    done = true;
    clearInterval(heartbeat);
    unsubscribe();
    watcher.leave();
    // The client left mid-stream: drop its connection rather than keep a half-written response open.
    if (!res.writableEnded) res.destroy();
  };
  res.once('close', cleanup);
  res.once('error', cleanup);
  if (res.destroyed || !res.socket || res.socket.destroyed) return cleanup();
  pump();
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
