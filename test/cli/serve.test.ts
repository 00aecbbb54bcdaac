import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readIdentity } from '../../src/process/index.ts';
import { survivorsAfter } from '../helpers/processes.ts';
import { SseStream } from '../helpers/sse-client.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

test('tether serve prints its address, streams the demo run end to end, and exits 0 on SIGTERM', async (t) => {
  const server = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => server.kill('SIGKILL'));
  server.stderr.resume();
  let out = '';
  server.stdout.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address: ${out}`)), 15_000);
    server.stdout.on('data', (chunk: string) => {
      out += chunk;
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const stream = await SseStream.open(`${url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'demo', prompt: 'hi there' },
  });
  const start = await stream.waitForType('start');
  const root = readIdentity(start.data.pid as number);
  const exit = await stream.waitForType('exit', 10_000);
  assert.equal(exit.data.reason, 'completed');
  assert.equal(exit.data.code, 0);
  assert.ok(stream.events.some((e) => e.type === 'text' && String(e.data.text).includes('hi there')));
  assert.ok(stream.events.some((e) => e.type === 'result'));
  if (root) assert.deepEqual(await survivorsAfter([root], 1000), []);
  const exited = once(server, 'exit');
  server.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0);
});
