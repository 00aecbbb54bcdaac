import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { commandBackend } from '../../src/backends/command.ts';
import { ProcessRegistry } from '../../src/process/index.ts';
import { RunManager } from '../../src/runs/manager.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Collects garbage until `done()` holds or the deadline passes (a WeakRef clears only between turns). */
async function collectUntil(done: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await nextTurn();
  }
  return done();
}

test('an ended run keeps its record but not its child; a forgotten run is let go entirely', async () => {
  const registry = new ProcessRegistry();
  // A FinalizationRegistry, not WeakRefs: a WeakRef keeps its target alive until the job that made it ends.
  let childrenRemoved = 0;
  const collected = new Set<string>();
  const finalizer = new FinalizationRegistry<string>((name) => collected.add(name));
  registry.onRemoved((child) => finalizer.register(child, `child ${++childrenRemoved}`));
  const backend = commandBackend('echo', {
    type: 'command',
    argv: ['/bin/echo', 'hello'],
    input: 'none',
    output: 'text',
    env: [],
  });
  const manager = new RunManager({
    backends: new Map([[backend.name, backend]]),
    admission: { maxRuns: 4, maxRunsPerClient: 4, queueSize: 0, queueWaitMs: 1000 },
    workspaceRoots: [process.cwd()],
    eventBuffer: 64,
    killGraceMs: 200,
    lingerMs: 50,
    registry,
    keepEnded: 2,
  });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const run = await manager.create({
      backend: 'echo',
      prompt: '',
      options: { timeoutS: 10, idleTimeoutS: 10, maxOutputBytes: 1 << 20, detachGraceS: 0 },
      client: 'test',
      streamed: false,
    });
    const view = await run.finished;
    assert.equal(view.exit?.reason, 'completed');
    ids.push(run.id);
    finalizer.register(run, `run ${i + 1}`);
  }
  assert.equal(childrenRemoved, 5, 'every child left the registry when its tree was gone');

  const expected = ['child 1', 'child 2', 'child 3', 'child 4', 'child 5', 'run 1', 'run 2', 'run 3'];
  const released = await collectUntil(() => expected.every((name) => collected.has(name)));
  assert.ok(
    released,
    `collected: ${[...collected].sort().join(', ')}; expected at least ${expected.join(', ')}`,
  );
  assert.ok(!collected.has('run 4') && !collected.has('run 5'), 'the two newest ended runs are kept');
  for (const id of ids.slice(0, 3)) assert.equal(manager.get(id), undefined);
  for (const id of ids.slice(3)) {
    const view = manager.get(id)?.view();
    assert.equal(view?.status, 'ended');
    assert.equal(view?.exit?.reason, 'completed');
    assert.ok((view?.pid ?? 0) > 0);
  }
});
