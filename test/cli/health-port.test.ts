import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findOwnedProcesses, OWNER_ENV, readEnvVar, spawnProcess } from '../../src/process/index.ts';
import { owned } from '../helpers/cleanup.ts';
import { fixture } from '../helpers/fixtures.ts';
import { lineMatching } from '../helpers/lines.ts';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.ts';
import { requestJson, SseStream } from '../helpers/sse-client.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

type Answer = { status: number; body: Record<string, unknown>; at: number };

test('tether serve --health-port: the health thread answers 503 with the stall while the main loop is wedged, 200 after; the keeper reports reaped zombies', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-health-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'tether.json');
  writeFileSync(
    config,
    JSON.stringify({
      health: { stall_threshold_s: 1 },
      backends: { orphans: { type: 'command', argv: fixture('orphans-then-exit'), input: 'none' } },
    }),
  );
  const keeper = owned(
    t,
    await spawnProcess({
      argv: [
        process.execPath,
        '--import',
        'tsx',
        MAIN,
        'serve',
        '--config',
        config,
        '--port',
        '0',
        '--health-port',
        '0',
      ],
      env: { ...process.env, TETHER_TEST_HOOKS: '1', TETHER_STATE_DIR: dir },
      graceMs: 3000,
    }),
  );
  const [, url, health] = await lineMatching(
    keeper.stdout,
    /^listening on (http:\/\/127\.0\.0\.1:\d+)\nhealth on (http:\/\/127\.0\.0\.1:\d+)\n/m,
  );
  assert.ok(url && health);

  const calm = await requestJson(`${health}/healthz`);
  assert.equal(calm.status, 200);
  assert.equal(calm.body.served_by, 'health-thread');
  assert.equal(calm.body.event_loop, 'ok');
  assert.deepEqual(calm.body.keeper, { pid: keeper.pid, alive: true });
  assert.equal((await requestJson(`${health}/readyz`)).status, 200);
  assert.equal((await requestJson(`${health}/v1/runs`)).body.code, 'ERR_NOT_FOUND');

  // Orphans of finished runs are re-parented to the keeper, which reaps them and tells the server.
  for (let i = 0; i < 3; i++) {
    const stream = await SseStream.open(`${url}/v1/runs`, {
      method: 'POST',
      body: { backend: 'orphans', prompt: '' },
    });
    assert.equal((await stream.waitForType('exit')).data.reason, 'completed');
  }
  const deadline = Date.now() + 5000;
  let reaped = 0;
  while (reaped < 9 && Date.now() < deadline) {
    const text = await (await fetch(`${url}/metrics`)).text();
    reaped = sampleValue(parsePrometheusText(text), 'tether_zombies_reaped_total');
    if (reaped < 9) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(reaped >= 9, `the keeper reported ${reaped} reaped zombies, expected 3 runs × 3 orphans`);

  // Wedge the main loop for 3 s and watch from the health port.
  const wedge = await requestJson(`${url}/debug/wedge`, {
    method: 'POST',
    body: JSON.stringify({ ms: 3000 }),
  });
  assert.equal(wedge.status, 200);
  const wedgedAt = Date.now();
  const answers: Answer[] = [];
  let ready: Answer | undefined;
  while (Date.now() - wedgedAt < 2900) {
    const answer = await requestJson(`${health}/healthz`);
    answers.push({ ...answer, at: Date.now() - wedgedAt });
    if (!ready && answer.status === 503) {
      const r = await requestJson(`${health}/readyz`);
      ready = { ...r, at: Date.now() - wedgedAt };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const stalled = answers.filter((a) => a.status === 503 && (a.body.event_loop_lag_ms as number) >= 2000);
  assert.ok(
    stalled.length > 0,
    JSON.stringify(answers.map((a) => [a.at, a.status, a.body.event_loop_lag_ms])),
  );
  const first = stalled[0];
  assert.equal(first?.body.event_loop, 'stalled');
  assert.match((first?.body.reasons as string[])[0] ?? '', /^event loop stalled for \d+ ms$/);
  assert.deepEqual(ready?.body, { status: 'not_ready', reasons: ['event_loop_stalled'] });

  // Afterwards: 200 again, from both ports, and the stall is on the books.
  const recoveredBy = Date.now() + 5000;
  let after = await requestJson(`${health}/healthz`);
  while (after.status !== 200 && Date.now() < recoveredBy) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    after = await requestJson(`${health}/healthz`);
  }
  assert.equal(after.status, 200);
  const main = await requestJson(`${url}/healthz`);
  assert.equal(main.status, 200);
  assert.ok(
    (main.body.event_loop_stalled_s_total as number) >= 2.5,
    String(main.body.event_loop_stalled_s_total),
  );

  const serverPid = main.body.pid as number;
  const marker = readEnvVar(serverPid, OWNER_ENV);
  assert.ok(marker);
  process.kill(keeper.pid, 'SIGTERM');
  assert.equal((await keeper.exited).code, 0);
  const left = await findOwnedProcesses(marker);
  assert.deepEqual(left, []);
});
