import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../bench/lib/free-port.ts';
import { ProcessRegistry, spawnProcess } from '../../src/process/index.ts';
import { owned } from '../helpers/cleanup.ts';
import { identitiesOf, survivorsAfter } from '../helpers/processes.ts';
import { startTestServer } from '../helpers/server.ts';
import { SseStream } from '../helpers/sse-client.ts';

const cliRegistry = new ProcessRegistry();
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Runs `tether <args>` to its end; resolves with exit code, stdout and stderr. */
async function tether(t: TestContext, args: string[], env: Record<string, string> = {}) {
  const child = owned(
    t,
    // Its own registry: the CLI is not a run of the in-process test server it talks to.
    await spawnProcess({
      argv: [process.execPath, '--import', 'tsx', MAIN, ...args],
      env: { ...process.env, ...env },
      registry: cliRegistry,
    }),
  );
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const report = await child.done;
  return { code: report.code, stdout, stderr: child.stderrLines().join('\n') };
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'tether-doctor-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('tether doctor: a table of findings; backends checked, agent CLIs asked for --version', async (t) => {
  const dir = tempDir(t);
  const claude = join(dir, 'claude');
  writeFileSync(claude, '#!/bin/sh\n[ "$1" = --version ] && echo "2.0.14 (Claude Code)" && exit 0\nexit 3\n');
  chmodSync(claude, 0o755);
  const config = join(dir, 'tether.json');
  writeFileSync(
    config,
    JSON.stringify({
      backends: {
        good: { type: 'claude', binary: claude },
        broken: { type: 'codex', binary: '/bin/false' },
        absent: { type: 'pi', binary: 'no-such-pi-binary' },
        gone: { type: 'command', argv: [join(dir, 'missing-program')] },
      },
    }),
  );
  const { code, stdout } = await tether(t, ['doctor', '--config', config, '--json'], {
    TETHER_STATE_DIR: dir,
  });
  assert.equal(code, 0, stdout);
  const { findings, fatal } = JSON.parse(stdout) as {
    findings: { check: string; status: string; detail: string }[];
    fatal: number;
  };
  assert.equal(fatal, 0);
  const find = (check: string) => findings.find((f) => f.check === check);
  assert.equal(find('/proc stat')?.status, 'ok');
  assert.equal(find('/proc environ')?.status, 'ok');
  assert.match(find('memory cgroup')?.detail ?? '', /^v1 at \/sys\/fs\/cgroup\/memory/);
  assert.equal(find('subreaper')?.status, 'ok');
  assert.match(find('pid 1')?.detail ?? '', /^not PID 1/);
  assert.deepEqual(find('backend good'), {
    check: 'backend good',
    status: 'ok',
    detail: `claude: ${claude} 2.0.14 (Claude Code)`,
  });
  assert.equal(find('backend broken')?.status, 'warn');
  assert.match(find('backend broken')?.detail ?? '', /--version failed: exit 1/);
  assert.match(find('backend absent')?.detail ?? '', /not found on PATH/);
  assert.match(find('backend gone')?.detail ?? '', /missing or not executable/);
  assert.equal(find('state dir')?.status, 'ok');
  assert.equal(find('open files limit')?.status, 'ok');

  const table = await tether(t, ['doctor', '--config', config], { TETHER_STATE_DIR: dir });
  assert.match(table.stdout, /^CHECK\s+STATUS\s+DETAIL\n/);
  assert.match(table.stdout, /\nno fatal findings\.\n$/);
});

test('tether doctor: an unreadable config is fatal and exits 1', async (t) => {
  const dir = tempDir(t);
  const { code, stdout } = await tether(t, ['doctor', '--config', join(dir, 'nope.yaml')], {
    TETHER_STATE_DIR: dir,
  });
  assert.equal(code, 1);
  assert.match(stdout, /config\s+FATAL\s+cannot read config file/);
  assert.match(stdout, /1 fatal finding\(s\)/);
});

test('tether ps: each run with its tree, the setsid escapee found by marker; a token is sent and required', async (t) => {
  const server = await startTestServer(t, { server: { tokens: ['ps-test-token'] } });
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'spawn-setsid-grandchild', prompt: '' },
    headers: { authorization: 'Bearer ps-test-token' },
  });
  const start = (await stream.waitForType('start')).data;
  await stream.waitFor(() => stream.stdout().includes('ready'));
  const grandchildren = [...stream.stdout().matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]));
  const tree = identitiesOf([start.pid as number, ...grandchildren]);

  const refused = await tether(t, ['ps', '--url', server.url]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /answered 401: ERR_UNAUTHORIZED/);

  const { code, stdout } = await tether(t, ['ps', '--url', server.url], { TETHER_TOKEN: 'ps-test-token' });
  assert.equal(code, 0, stdout);
  assert.match(stdout, new RegExp(`backend=spawn-setsid-grandchild run=${start.runId}\\s+running`));
  assert.match(stdout, new RegExp(`^${start.pid}\\s+\\d+\\s+${start.pid}\\s+\\S+.*\\broot\\b`, 'm'));
  for (const pid of grandchildren)
    assert.match(stdout, new RegExp(`^${pid}\\s.*\\b(marker|ancestry)\\b`, 'm'));
  assert.match(stdout, /\nleaked: none\n$/);

  stream.abort();
  assert.deepEqual(await survivorsAfter(tree), []);
  const after = await tether(t, ['ps', '--url', server.url, '--json'], { TETHER_TOKEN: 'ps-test-token' });
  assert.deepEqual(JSON.parse(after.stdout).owners, []);
});

test('tether ps: a server that is not there is a clear error, not a stack', async (t) => {
  const port = await freePort();
  const { code, stderr } = await tether(t, ['ps', '--url', `http://127.0.0.1:${port}`]);
  assert.equal(code, 1);
  assert.equal(
    stderr,
    `tether ps: cannot reach http://127.0.0.1:${port} (ECONNREFUSED); is \`tether serve\` running?`,
  );
});
