import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnProcess } from '../../src/process/index.ts';
import { CLIS_DIR } from '../helpers/agent-runs.ts';
import { owned } from '../helpers/cleanup.ts';
import { Output } from '../helpers/output.ts';

const ARGV: Record<string, string[]> = {
  codex: ['exec', '--json', 'hi'],
  opencode: ['run', '--format', 'json', 'hi'],
  pi: ['--mode', 'json', 'hi'],
};

for (const [type, args] of Object.entries(ARGV)) {
  test(`fake ${type} blocks on an open stdin pipe, as the real one does, and starts at EOF`, async (t) => {
    const child = owned(
      t,
      await spawnProcess({ argv: [`${CLIS_DIR}${type}`, ...args], stdin: 'pipe', graceMs: 200 }),
    );
    const output = new Output(child.stdout);
    // A bounded window in which a fake that ignored stdin would have printed its whole answer.
    await assert.rejects(output.waitFor('{', 300), /no "\{" within/);
    child.stdin?.end();
    await output.waitFor('{', 3000);
    assert.equal((await child.done).code, 0);
  });
}

test('fake claude refuses to start without --verbose, and under CLAUDECODE', async (t) => {
  const bare = owned(
    t,
    await spawnProcess({ argv: [`${CLIS_DIR}claude`, '-p', '--output-format', 'stream-json', 'hi'] }),
  );
  assert.equal((await bare.done).code, 1);
  const nested = owned(
    t,
    await spawnProcess({
      argv: [`${CLIS_DIR}claude`, '-p', '--output-format', 'stream-json', '--verbose', 'hi'],
      env: { PATH: process.env.PATH ?? '', CLAUDECODE: '1' },
    }),
  );
  assert.equal((await nested.done).code, 1);
});
