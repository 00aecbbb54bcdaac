import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { badCases } from '../../bench/lib/bad-input/cases.ts';
import { runBadInput } from '../../bench/lib/bad-input/run.ts';
import { startServe } from '../../bench/lib/serve-process.ts';
import { findOwnedProcesses, instanceOwner, isRunning, readIdentity } from '../../src/process/index.ts';
import { openFdCount } from '../helpers/processes.ts';
import { startTestServer } from '../helpers/server.ts';
import { requestJson, SseStream } from '../helpers/sse-client.ts';

const COUNT = Number(process.env.TETHER_BAD_INPUT_COUNT ?? 1000);
const TOKEN = 'bad-input-test-token';

test(`bad input: ${COUNT} malformed requests, zero 5xx, every answer a documented problem, the server healthy after`, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tether-bad-input-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  symlinkSync('/etc', join(root, 'escape'));
  const server = await startTestServer(t, {
    server: { tokens: [TOKEN], requestTimeoutS: 0.5 },
    roots: [root],
  });
  const auth = { authorization: `Bearer ${TOKEN}` };
  const created = await requestJson(`${server.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'echo-arg', prompt: 'x', cwd: root }),
    headers: auth,
  });
  assert.equal(created.status, 202);
  const fdsBefore = openFdCount();

  const cases = badCases(
    {
      token: TOKEN,
      backend: 'echo-arg',
      root,
      bodyLimitBytes: 1024 * 1024,
      runId: created.body.runId as string,
      slow: true,
    },
    COUNT,
  );
  const report = await runBadInput(server.port, cases);
  assert.equal(report.serverErrors, 0, JSON.stringify(report.byStatus));
  assert.deepEqual(
    report.wrong,
    [],
    `${report.wrongCount} wrong answers: ${JSON.stringify(report.byCategory)}`,
  );
  assert.equal(Object.keys(report.byCategory).length, 18, 'every category was sent');

  // Healthy afterwards: liveness, a normal run to its end, nothing left running, sockets closed.
  assert.equal((await requestJson(`${server.url}/healthz`)).body.status, 'ok');
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'echo-arg', prompt: 'after', cwd: root },
    headers: auth,
  });
  assert.equal((await stream.waitForType('exit', 10_000)).data.reason, 'completed');
  assert.deepEqual(await findOwnedProcesses(instanceOwner), []);
  const deadline = Date.now() + 5000;
  while (openFdCount() > fdsBefore + 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(openFdCount() <= fdsBefore + 5, `fds ${fdsBefore} → ${openFdCount()}`);
});

test('bad input against tether serve: the real server process never crashes or restarts', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tether-bad-input-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  symlinkSync('/etc', join(root, 'escape'));
  const serve = await startServe({
    server: { tokens: [TOKEN], request_timeout_s: 0.5 },
    workspaces: { roots: [root] },
    backends: { echo: { type: 'command', argv: ['/bin/echo', 'hi'], input: 'none' } },
  });
  t.after(() => serve.stop());
  const serverPid = serve.serverPid();
  assert.ok(serverPid);
  const server = readIdentity(serverPid);
  const created = await requestJson(`${serve.url}/v1/runs`, {
    method: 'POST',
    body: JSON.stringify({ backend: 'echo', prompt: '', cwd: root }),
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(created.status, 202);
  const port = Number(new URL(serve.url).port);
  const cases = badCases(
    {
      token: TOKEN,
      backend: 'echo',
      root,
      bodyLimitBytes: 1024 * 1024,
      runId: created.body.runId as string,
      slow: true,
    },
    300,
    2,
  );
  const report = await runBadInput(port, cases);
  assert.equal(report.serverErrors, 0);
  assert.deepEqual(report.wrong, []);
  assert.ok(server && isRunning(server), 'the same server process is still running');
  assert.equal(serve.serverPid(), serverPid, 'the keeper did not have to restart it');
  assert.equal((await requestJson(`${serve.url}/healthz`)).body.status, 'ok');
  const marker = serve.markerOf(serverPid);
  await serve.stop();
  assert.deepEqual(await findOwnedProcesses(marker.slice(0, marker.lastIndexOf('/'))), []);
});
