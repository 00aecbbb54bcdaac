import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnProcess } from '../../src/process/index.ts';
import { owned } from '../helpers/cleanup.ts';
import { fixture } from '../helpers/fixtures.ts';
import { lineMatching } from '../helpers/lines.ts';
import { identitiesOf, survivorsAfter } from '../helpers/processes.ts';
import { requestJson, SseStream } from '../helpers/sse-client.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

test('tether serve: config file, env warning, listening line, a streamed run, SIGTERM ends it with shutdown', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-serve-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'tether.yaml');
  writeFileSync(
    config,
    [
      'limits:',
      '  shutdown_grace_s: 0.2',
      '  kill_grace_ms: 300',
      'backends:',
      '  tree:',
      '    type: command',
      `    argv: [${JSON.stringify(fixture('cooperative-tree')[0])}]`,
      '    input: none',
      '',
    ].join('\n'),
  );
  const server = owned(
    t,
    await spawnProcess({
      argv: [process.execPath, '--import', 'tsx', MAIN, 'serve', '--config', config, '--port', '0'],
      env: { ...process.env, TETHER_MAX_RUNS: 'lots' },
      graceMs: 3000,
    }),
  );
  const [, url] = await lineMatching(server.stdout, /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/m);
  assert.ok(url);
  assert.ok(
    server.stderrLines().some((line) => line.includes('TETHER_MAX_RUNS') && line.includes('warning')),
    server.stderrLines().join('\n'),
  );
  const backends = await requestJson(`${url}/v1/backends`);
  assert.deepEqual(backends.body.backends, [{ name: 'tree', type: 'command', available: true }]);

  const stream = await SseStream.open(`${url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'tree', prompt: '' },
  });
  t.after(() => stream.close());
  const start = (await stream.waitForType('start')).data;
  await stream.waitFor(() => stream.stdout().includes('ready'));
  const pids = [...stream.stdout().matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]));
  const tree = identitiesOf([start.pid as number, ...pids]);

  process.kill(server.pid, 'SIGTERM');
  const exit = await stream.waitForType('exit', 10_000);
  assert.equal(exit.data.reason, 'shutdown');
  const status = await server.exited;
  assert.equal(status.code, 0);
  assert.deepEqual(await survivorsAfter(tree, 2000), []);
});
