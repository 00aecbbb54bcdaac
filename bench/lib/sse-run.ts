import { request } from 'node:http';

export type RunEnding =
  | { kind: 'exit'; reason: string }
  | { kind: 'dropped' }
  | { kind: 'refused'; status: number }
  | { kind: 'failed'; error: string };

/**
 * One streamed run over a fresh connection. With `dropAfterMs` the client resets the socket that long
 * after the `start` event (an abrupt disconnect, RST); otherwise it reads to `exit`.
 */
export function sseRun(
  url: string,
  body: unknown,
  options: { dropAfterMs?: number; timeoutMs?: number } = {},
): Promise<RunEnding> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ending: RunEnding): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      resolve(ending);
    };
    const req = request(`${url}/v1/runs`, {
      method: 'POST',
      agent: false,
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    });
    const guard = setTimeout(() => {
      req.destroy();
      done({ kind: 'failed', error: 'no exit event in time' });
    }, options.timeoutMs ?? 30_000);
    req.on('error', (error) => done({ kind: 'failed', error: error.message }));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', () => done({ kind: 'refused', status: res.statusCode ?? 0 }));
        return;
      }
      let text = '';
      let started = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text = (text + chunk).slice(-8192);
        if (!started && text.includes('event: start')) {
          started = true;
          if (options.dropAfterMs !== undefined) {
            setTimeout(() => {
              req.socket?.resetAndDestroy();
              done({ kind: 'dropped' });
            }, options.dropAfterMs);
          }
        }
        const exit = /event: exit\ndata: (\{[^\n]*\})/.exec(text);
        if (exit?.[1]) done({ kind: 'exit', reason: (JSON.parse(exit[1]) as { reason: string }).reason });
      });
      res.on('error', () => done({ kind: 'failed', error: 'response error' }));
      res.on('close', () => done({ kind: 'failed', error: 'closed before exit' }));
    });
    req.end(JSON.stringify(body));
  });
}
