import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTetherError } from '../../src/errors.ts';
import { OWNER_ENV, spawnProcess } from '../../src/process/index.ts';
import { owned } from '../helpers/cleanup.ts';
import { fixture } from '../helpers/fixtures.ts';
import { Output } from '../helpers/output.ts';
import { identitiesOf, survivorsAfter } from '../helpers/processes.ts';

test('stdin text is written then closed: the child sees EOF', async (t) => {
  const child = owned(t, await spawnProcess({ argv: ['/bin/cat'], stdin: { text: 'hello\nworld\n' } }));
  const out = new Output(child.stdout);
  const report = await child.done;
  await out.waitForEnd();
  assert.equal(out.text, 'hello\nworld\n');
  assert.equal(report.code, 0);
  assert.equal(report.reason, 'completed');
});

test('stdin pipe takes writes until close, then refuses them with ERR_CLOSED', async (t) => {
  const child = owned(t, await spawnProcess({ argv: ['/bin/cat'], stdin: 'pipe' }));
  const out = new Output(child.stdout);
  child.write('ping\n');
  await out.waitFor('ping\n');
  const closing = child.close('cancelled');
  assert.throws(
    () => child.write('late'),
    (e: unknown) => isTetherError(e, 'ERR_CLOSED'),
  );
  const report = await closing;
  // cat exits on stdin EOF (the first step of teardown) or on SIGTERM, whichever lands first.
  assert.equal(report.survivors, 0);
  assert.equal(report.forced, false);
});

test('every descendant inherits TETHER_OWNER=<owner>', async (t) => {
  const child = owned(
    t,
    await spawnProcess({ argv: ['/bin/sh', '-c', `echo "$${OWNER_ENV}"`], stdin: 'ignore' }),
  );
  const out = new Output(child.stdout);
  await child.done;
  await out.waitForEnd();
  assert.equal(out.text.trim(), child.owner);
  assert.match(child.owner, /\/\d+$/);
});

test('a chatty child never blocks on stderr: 700,000 lines drained, the last 50 kept', async (t) => {
  let seen = 0;
  const child = owned(
    t,
    await spawnProcess({
      argv: fixture('chatty-stderr', 'exit'),
      stderrLines: 50,
      onStderrLine: () => seen++,
    }),
  );
  const out = new Output(child.stdout);
  const report = await child.done;
  await out.waitForEnd();
  assert.equal(report.code, 0);
  assert.ok(out.text.includes('ready'));
  const lines = child.stderrLines();
  assert.equal(lines.length, 50);
  assert.equal(lines.at(-1), '700000');
  assert.equal(lines[0], '699951');
  assert.equal(seen, 700000);
});

test('concurrent close() and destroy() share one teardown; destroy hurries the grace', async (t) => {
  const child = owned(t, await spawnProcess({ argv: fixture('ignore-sigterm'), graceMs: 60_000 }));
  const out = new Output(child.stdout);
  await out.waitFor('ready');
  const first = child.close('timeout');
  const second = child.close('cancelled');
  assert.equal(first, second, 'the same promise');
  const started = performance.now();
  const third = child.destroy('shutdown');
  assert.equal(third, first);
  const report = await third;
  assert.ok(performance.now() - started < 5000, 'did not wait out the 60 s grace');
  assert.equal(report.reason, 'timeout', 'the first reason wins');
  assert.equal(report.forced, true);
  assert.equal(report.signal, 'SIGKILL');
  assert.deepEqual(await child.close(), report, 'a late close returns the first result');
});

test('await using closes the child and its tree at the end of the scope', async (t) => {
  let tree: ReturnType<typeof identitiesOf> = [];
  {
    await using child = owned(t, await spawnProcess({ argv: fixture('spawn-grandchildren'), graceMs: 200 }));
    const out = new Output(child.stdout);
    await out.waitFor('ready');
    tree = identitiesOf([child.pid, ...out.grandchildren()]);
  }
  assert.equal(tree.length, 3);
  assert.deepEqual(await survivorsAfter(tree, 0), [], 'gone as the scope ended');
});
