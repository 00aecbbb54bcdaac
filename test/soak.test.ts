import './helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServe } from '../bench/lib/serve-process.ts';
import { runSoak, soakConfig } from '../bench/lib/soak-driver.ts';
import { findOwnedProcesses } from '../src/process/index.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const RUNS = Number(process.env.TETHER_SOAK_RUNS ?? 500);

// The short soak of CI (the full one is `npm run bench:soak`): the same driver, fewer runs, no RSS verdict
// (RSS needs the long run and quiet periods to mean anything; BENCHMARKS.md reports it).
test(`soak: ${RUNS} runs through tether serve, half dropped abruptly, leave nothing behind`, async (t) => {
  const serve = await startServe(soakConfig(FIXTURES));
  t.after(() => serve.stop());
  const serverPid = serve.serverPid();
  assert.ok(serverPid, 'the keeper started a server');
  const marker = serve.markerOf(serverPid);
  assert.ok(marker.length > 0);

  const result = await runSoak(
    { url: serve.url, serverPid, keeperPid: serve.keeperPid, marker },
    { runs: RUNS, concurrency: 32, seed: 7, warmup: 20, quietMs: 0 },
  );
  assert.deepEqual(result.failures, []);
  assert.equal(result.end.marked, 0, `left: ${result.leftovers.join('; ')}`);
  assert.equal(result.end.zombies, 0);
  assert.ok(result.end.fds <= result.start.fds + 5, `server fds ${result.start.fds} → ${result.end.fds}`);
  const total = Object.values(result.endings).reduce((a, b) => a + b, 0);
  assert.equal(total, RUNS + 20);
  for (const ending of ['completed', 'dropped', 'timeout', 'output_limit'])
    assert.ok((result.endings[ending] ?? 0) > 0, `no ${ending} ending in ${JSON.stringify(result.endings)}`);

  await serve.stop();
  assert.deepEqual(
    await findOwnedProcesses(marker.slice(0, marker.lastIndexOf('/'))),
    [],
    'the keeper left nothing',
  );
});
