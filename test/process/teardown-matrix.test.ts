import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { isGone, spawnProcess, type TeardownReport } from '../../src/process/index.ts';
import { owned } from '../helpers/cleanup.ts';
import { fixture } from '../helpers/fixtures.ts';
import { Output } from '../helpers/output.ts';
import { identitiesOf, survivorsAfter, zombiesAfter } from '../helpers/processes.ts';

type Mode = 'natural' | 'close' | 'destroy' | 'abort';

/** Fixture → whether its main process ignores SIGTERM (close must escalate to SIGKILL). */
const FIXTURES: Record<string, { ignoresTerm: boolean }> = {
  streamer: { ignoresTerm: false },
  'ignore-sigterm': { ignoresTerm: true },
  'spawn-grandchildren': { ignoresTerm: false },
  'spawn-setsid-grandchild': { ignoresTerm: false },
  'close-stdout-and-linger': { ignoresTerm: false },
  'exit-leaving-zombies': { ignoresTerm: false },
  'flood-stdout': { ignoresTerm: false },
  'hang-after-final-line': { ignoresTerm: false },
  'grandchild-holds-stdout': { ignoresTerm: false },
  'chatty-stderr': { ignoresTerm: false },
};

const GRACE_MS = 400;

async function runCase(t: TestContext, name: string, mode: Mode): Promise<void> {
  const controller = new AbortController();
  const child = owned(
    t,
    await spawnProcess({
      argv: fixture(name, mode === 'natural' ? 'exit' : 'wait'),
      graceMs: GRACE_MS,
      signal: controller.signal,
    }),
  );
  const root = child.knownTree()[0]?.identity;
  assert.ok(root, 'the root is tracked from the start');
  const out = new Output(child.stdout);
  await out.waitFor('ready');
  const announced = out.grandchildren();
  // In natural mode the sweep may already be ending them: only those still running can witness.
  const grandchildren = mode === 'natural' ? runningIdentities(announced) : identitiesOf(announced);

  let report: TeardownReport;
  if (mode === 'close') report = await child.close('cancelled');
  else if (mode === 'destroy') report = await child.destroy('cancelled');
  else if (mode === 'abort') {
    controller.abort('timeout');
    report = await child.done;
  } else report = await child.done;

  assert.equal(
    report.reason,
    { natural: 'completed', close: 'cancelled', destroy: 'cancelled', abort: 'timeout' }[mode],
  );
  assert.equal(report.survivors, 0);
  assert.equal(report.pid, root.pid);
  // The report promises every identity is gone: check at once, with no grace.
  assert.deepEqual(
    await survivorsAfter([root, ...grandchildren], 0),
    [],
    'root and announced grandchildren gone',
  );
  assert.deepEqual(
    child.knownTree().filter((m) => !isGone(m.identity)),
    [],
    'every recorded member gone',
  );
  assert.equal(child.state, 'closed');
  assert.deepEqual(await child.done, report, 'done resolves with the same report');

  if (mode === 'natural') {
    assert.equal(report.code, 0, `natural exit code of ${name}`);
    assert.equal(report.signal, null);
    assert.equal(report.forced, false);
  } else if (mode === 'destroy') {
    assert.equal(report.signal, 'SIGKILL');
    assert.equal(report.forced, true);
  } else {
    const ignores = FIXTURES[name]?.ignoresTerm;
    assert.equal(report.signal, ignores ? 'SIGKILL' : 'SIGTERM', `${name} ended by`);
    assert.equal(report.forced, ignores);
    if (ignores) assert.ok(report.durationMs >= GRACE_MS - 5, 'escalation waited the grace');
  }
  if (mode !== 'natural') assert.ok(report.killed >= 1 + announced.length, `killed ${report.killed}`);
  assert.ok(report.descendantsKilled >= announced.length, `descendants killed ${report.descendantsKilled}`);
  // No grandchild holds the pipe any more, so stdout reaches EOF.
  await out.waitForEnd(2000);
}

function runningIdentities(pids: number[]) {
  return pids.flatMap((pid) => {
    try {
      return identitiesOf([pid]);
    } catch {
      return [];
    }
  });
}

describe('every fixture × every way to end leaves no process behind', () => {
  for (const name of Object.keys(FIXTURES)) {
    for (const mode of ['natural', 'close', 'destroy', 'abort'] as const) {
      test(`${name} × ${mode}`, (t) => runCase(t, name, mode));
    }
  }

  test('no zombie children remain', async () => {
    assert.deepEqual(await zombiesAfter(2000), []);
  });
});
