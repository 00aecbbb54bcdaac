import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isTetherError } from '../../src/errors.ts';
import { defaultRegistry, spawnProcess } from '../../src/process/index.ts';
import { fixture } from '../helpers/fixtures.ts';
import { openFdCount, zombiesAfter } from '../helpers/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'tether-spawn-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const notExecutable = join(dir, 'not-executable');
writeFileSync(notExecutable, '#!/bin/sh\necho hi\n');
chmodSync(notExecutable, 0o644);

const cases: [string, Parameters<typeof spawnProcess>[0], string][] = [
  ['a missing binary', { argv: [join(dir, 'no-such-program')] }, 'ERR_SPAWN_NOT_FOUND'],
  ['a missing binary on PATH', { argv: ['tether-no-such-program-xyz'] }, 'ERR_SPAWN_NOT_FOUND'],
  ['a file without the execute bit', { argv: [notExecutable] }, 'ERR_SPAWN_PERMISSION'],
  ['a missing cwd', { argv: fixture('streamer', 'exit'), cwd: join(dir, 'gone') }, 'ERR_SPAWN_BAD_CWD'],
  ['a cwd that is a file', { argv: fixture('streamer', 'exit'), cwd: notExecutable }, 'ERR_SPAWN_BAD_CWD'],
  ['an empty argv', { argv: [] }, 'ERR_INVALID_ARGUMENT'],
  ['a NUL byte in an argument', { argv: ['/bin/echo', 'a\0b'] }, 'ERR_INVALID_ARGUMENT'],
];

for (const [what, options, code] of cases) {
  test(`${what} is refused with ${code}, leaking nothing`, async () => {
    const fdsBefore = openFdCount();
    await assert.rejects(spawnProcess(options), (error: unknown) => {
      assert.ok(isTetherError(error, code as never), `got ${String(error)}`);
      assert.ok((error as Error).message.length > 10, 'a human message');
      return true;
    });
    assert.equal(defaultRegistry.size, 0, 'nothing registered');
    assert.equal(openFdCount(), fdsBefore, 'no pipe left open');
    assert.deepEqual(await zombiesAfter(), [], 'no zombie left');
  });
}
