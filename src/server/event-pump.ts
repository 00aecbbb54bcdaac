import type { ServerResponse } from 'node:http';
import type { RunEvent } from '../runs/events.ts';
import type { Run } from '../runs/run.ts';

/** A comment line every so often keeps proxies from closing a quiet stream and finds dead peers. */
const HEARTBEAT_MS = 15_000;

/** How one stream format writes a run's events. */
export interface EventSink {
  /** Called once, right after the headers. */
  begin?(): void;
  /** Writes one event (never `exit`); returns false when the socket is full. */
  write(id: number, event: RunEvent): boolean;
  /** Writes the end of the stream for the `exit` event and ends the response. */
  end(id: number, event: RunEvent): void;
}

/**
 * Opens a `text/event-stream` response and pulls a run's events after `afterId` into `sink` at the
 * pace the socket drains: while it is full the program's stdout waits (backpressure, no gap). The
 * client's departure (FIN, RST, failed write) detaches it from the run, which decides what that means.
 */
export function pumpRunEvents(run: Run, res: ServerResponse, afterId: number, sink: EventSink): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-tether-run-id': run.id,
  });
  // Headers go out now: a resumed stream may have nothing to send for a while.
  res.flushHeaders();
  res.socket?.setKeepAlive(true, 5_000);
  res.socket?.setNoDelay(true);
  let last = afterId;
  let waiting = false;
  let done = false;
  const watcher = run.attach();
  const pump = (): void => {
    if (waiting || done) return;
    for (const { id, event } of run.events.since(last)) {
      last = id;
      if (event.type === 'exit') {
        sink.end(id, event);
        return cleanup();
      }
      if (!sink.write(id, event)) {
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
    // A resume from at or past `exit`: nothing more will come.
    if (run.events.closed && last >= run.events.lastId) {
      res.end();
      cleanup();
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
  // The client left before the stream began (while queued or spawning): 'close' already fired.
  if (res.destroyed || !res.socket || res.socket.destroyed) return cleanup();
  sink.begin?.();
  pump();
}
