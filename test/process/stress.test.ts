import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { defaultRegistry, type ProcessIdentity, spawnProcess } from '../../src/process/index.ts';
import { fixture } from '../helpers/fixtures.ts';
import { Output } from '../helpers/output.ts';
import {
  activeHandles,
  identitiesOf,
  openFdCount,
  survivorsAfter,
  zombiesAfter,
} from '../helpers/processes.ts';

/** Polls (bounded) until `probe` holds; returns its last value. */
async function settle<T>(probe: () => T, ok: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = probe();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    value = probe();
  }
  return value;
}

async function cycles(
  t: TestContext,
  count: number,
  name: string,
  waitFor: string,
): Promise<{ witnesses: ProcessIdentity[]; forced: number }> {
  const witnesses: ProcessIdentity[] = [];
  let forced = 0;
  for (let i = 0; i < count; i++) {
    const child = await spawnProcess({ argv: fixture(name), graceMs: 1000 });
    t.after(() => child.destroy('cancelled'));
    const out = new Output(child.stdout);
    await out.waitFor(waitFor);
    witnesses.push(...identitiesOf(out.grandchildren()));
    const report = await child.close('cancelled');
    assert.equal(report.survivors, 0, `cycle ${i}`);
    if (report.forced) forced++;
    await out.waitForEnd(2000);
  }
  return { witnesses, forced };
}

test('1,000 spawn → close cycles and 200 closes mid-output leak no fd, handle, zombie or process', async (t) => {
  const fdsBefore = openFdCount();
  const handlesBefore = activeHandles().length;

  const sequential = await cycles(t, 1000, 'spawn-grandchildren', 'ready');
  assert.equal(sequential.witnesses.length, 2000, 'every cycle announced two grandchildren');
  assert.equal(sequential.forced, 0, 'a cooperative tree never needs SIGKILL');
  const midOutput = await cycles(t, 200, 'flood-stdout', 'flood flood');

  assert.deepEqual(await survivorsAfter(sequential.witnesses, 0), [], 'no grandchild survived');
  assert.equal(defaultRegistry.size, 0);
  assert.deepEqual(await zombiesAfter(), [], 'zero zombie children');
  const fds = await settle(openFdCount, (n) => n <= fdsBefore + 5);
  assert.ok(fds <= fdsBefore + 5, `open fds grew from ${fdsBefore} to ${fds}`);
  const handles = await settle(
    () => activeHandles().length,
    (n) => n <= handlesBefore,
  );
  assert.ok(
    handles <= handlesBefore,
    `active handles grew from ${handlesBefore} to ${handles}: ${activeHandles()}`,
  );
  assert.equal(midOutput.forced, 0);
});
