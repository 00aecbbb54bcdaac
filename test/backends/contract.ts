import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Backend } from '../../src/backends/types.ts';
import { defaultRegistry } from '../../src/process/index.ts';
import { runAgent } from '../helpers/agent-runs.ts';
import { survivorsAfter } from '../helpers/processes.ts';

export interface BackendContract {
  /** Shown in test names. */
  readonly name: string;
  /** A backend whose program succeeds with some output (a fake or fixture, never a real CLI). */
  readonly create: () => Backend;
}

/**
 * The behaviour every backend must have, whatever its program: a launch plan that never leaves stdin as
 * an open pipe and never leaks CLAUDECODE, a parser that survives garbage, and a run that ends completed
 * with its process gone.
 */
export function runBackendContract({ name, create }: BackendContract): void {
  test(`${name}: launch plan — argv starts with the binary, stdin is ignore or text-then-EOF, no CLAUDECODE`, () => {
    const backend = create();
    const saved = process.env.CLAUDECODE;
    process.env.CLAUDECODE = '1';
    try {
      const plan = backend.launch({ prompt: 'hello', cwd: process.cwd() });
      assert.equal(plan.argv[0], backend.binary);
      assert.ok(plan.stdin === 'ignore' || typeof plan.stdin.text === 'string');
      assert.equal(plan.env.CLAUDECODE, undefined);
    } finally {
      if (saved === undefined) delete process.env.CLAUDECODE;
      else process.env.CLAUDECODE = saved;
    }
  });

  test(`${name}: parser — fresh, survives non-JSON and split lines, end() is idempotent`, () => {
    const parser = create().parser();
    assert.equal(parser.finished, false);
    assert.doesNotThrow(() => parser.stdout('not json at all\n{"half":'));
    assert.doesNotThrow(() => parser.stdout('1}\n[1,2]\nnull\n"str"\n'));
    assert.doesNotThrow(() => parser.stderr('a warning'));
    assert.ok(Array.isArray(parser.end({ code: 0, signal: null })));
    assert.deepEqual(parser.end({ code: 0, signal: null }), []);
  });

  test(`${name}: a run ends completed, exit 0, with output, and its process is gone`, async () => {
    const backend = create();
    const run = await runAgent(backend);
    const exit = run.events.at(-1);
    assert.deepEqual(exit, { type: 'exit', code: 0, signal: null, reason: 'completed' });
    assert.ok(run.events.length > 1, 'some output before exit');
    assert.ok(!run.events.some((e) => e.type === 'error'), 'no error event');
    assert.equal(defaultRegistry.has(run.view.pid), false, 'no longer supervised');
    // A fast program may be gone before its identity could be read: then there is nothing left to check.
    if (run.root) assert.deepEqual(await survivorsAfter([run.root]), []);
  });
}
