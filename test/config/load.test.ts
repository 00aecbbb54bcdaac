import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_AGENT, loadConfig } from '../../src/config/load.ts';
import { DEFAULT_LIMITS } from '../../src/config/schema.ts';
import { isTetherError } from '../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'tether-config-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('with no file, the embedded default serves the demo backend on loopback', async () => {
  const { config, warnings, source } = await loadConfig({ env: {}, cwd: dir });
  assert.equal(source, 'embedded default');
  assert.deepEqual(warnings, []);
  assert.equal(config.server.host, '127.0.0.1');
  assert.deepEqual(config.backends.demo?.argv, [DEMO_AGENT]);
  assert.deepEqual(config.workspaces.roots, [dir]);
});

test('a YAML file is read; malformed values fall back to defaults with one warning each', async () => {
  const file = join(dir, 'tether.yaml');
  writeFileSync(
    file,
    [
      'server: { port: 9999, host: "::1" }',
      'limits: { max_runs: "lots", queue_size: 3, idle_timeout_s: -1 }',
      'backends:',
      '  ok: { type: command, argv: [/bin/echo, hi], input: arg, output: text }',
      '  relative: { type: command, argv: [echo] }',
      '  strange: { type: teleport }',
      '  odd-output: { type: command, argv: [/bin/cat], output: xml }',
    ].join('\n'),
  );
  const { config, warnings } = await loadConfig({ file, env: {} });
  assert.equal(config.server.port, 9999);
  assert.equal(config.server.host, '::1');
  assert.equal(config.limits.maxRuns, DEFAULT_LIMITS.maxRuns);
  assert.equal(config.limits.queueSize, 3);
  assert.equal(config.limits.idleTimeoutS, DEFAULT_LIMITS.idleTimeoutS);
  assert.deepEqual(Object.keys(config.backends).sort(), ['odd-output', 'ok']);
  assert.equal(config.backends['odd-output']?.output, 'text');
  assert.equal(warnings.length, 5, warnings.join('\n'));
  assert.ok(warnings.some((w) => w.startsWith('limits.max_runs')));
});

test('TETHER_* variables override the file; a malformed one keeps the value and warns', async () => {
  const { config, warnings } = await loadConfig({
    env: { TETHER_PORT: 'eighty', TETHER_HOST: '127.0.0.2', TETHER_TOKENS: 'a, b', TETHER_MAX_RUNS: '5' },
    cwd: dir,
  });
  assert.equal(config.server.port, 8787);
  assert.equal(config.server.host, '127.0.0.2');
  assert.deepEqual(config.server.tokens, ['a', 'b']);
  assert.equal(config.limits.maxRuns, 5);
  assert.deepEqual(warnings, ['TETHER_PORT: "eighty" is not a number in [0, 65535]; using 8787']);
});

test('an unreadable or unparseable file is ERR_CONFIG', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'server: [unclosed');
  await assert.rejects(loadConfig({ file: bad, env: {} }), (e: unknown) => isTetherError(e, 'ERR_CONFIG'));
  await assert.rejects(loadConfig({ file: join(dir, 'none.yaml'), env: {} }), (e: unknown) =>
    isTetherError(e, 'ERR_CONFIG'),
  );
});
