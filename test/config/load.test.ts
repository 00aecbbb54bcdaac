import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEMO_AGENT, loadConfig } from '../../src/config/load.ts';
import { DEFAULT_HEALTH_CONFIG, DEFAULT_LIMITS } from '../../src/config/schema.ts';

function tempFile(t: test.TestContext, name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tether-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('no file: the embedded default, loopback, with the demo backend', async () => {
  const { config, warnings, source } = await loadConfig({ env: {}, cwd: '/tmp' });
  assert.equal(source, 'embedded default');
  assert.deepEqual(warnings, []);
  assert.equal(config.server.host, '127.0.0.1');
  assert.deepEqual(config.workspaces.roots, ['/tmp']);
  assert.deepEqual(config.backends.demo, {
    type: 'command',
    argv: [DEMO_AGENT],
    input: 'stdin',
    output: 'jsonl',
    env: [],
  });
});

test('YAML and JSON files are read alike', async (t) => {
  const yaml = tempFile(
    t,
    'a.yaml',
    'limits:\n  max_runs: 3\nbackends:\n  cat: { type: command, argv: [/bin/cat] }\n',
  );
  const json = tempFile(
    t,
    'a.json',
    JSON.stringify({ limits: { max_runs: 3 }, backends: { cat: { type: 'command', argv: ['/bin/cat'] } } }),
  );
  for (const file of [yaml, json]) {
    const { config, warnings } = await loadConfig({ file, env: {} });
    assert.deepEqual(warnings, []);
    assert.equal(config.limits.maxRuns, 3);
    assert.deepEqual(config.backends, {
      cat: { type: 'command', argv: ['/bin/cat'], input: 'stdin', output: 'text', env: [] },
    });
  }
});

test('malformed values fall back to defaults with a warning each; bad backends are skipped', async (t) => {
  const file = tempFile(
    t,
    'bad.yaml',
    [
      'server: { port: "http", tokens: [1] }',
      'limits: { max_runs: -4, queue_size: lots }',
      'backends:',
      '  rel: { type: command, argv: [sh, -c, ls] }',
      '  odd: { type: docker }',
      '  ok: { type: command, argv: [/bin/cat], input: pipe, output: xml }',
    ].join('\n'),
  );
  const { config, warnings } = await loadConfig({ file, env: {} });
  assert.equal(config.server.port, 8787);
  assert.deepEqual(config.server.tokens, []);
  assert.equal(config.limits.maxRuns, DEFAULT_LIMITS.maxRuns);
  assert.equal(config.limits.queueSize, DEFAULT_LIMITS.queueSize);
  assert.deepEqual(Object.keys(config.backends), ['ok']);
  assert.deepEqual(config.backends.ok, {
    type: 'command',
    argv: ['/bin/cat'],
    input: 'stdin',
    output: 'text',
    env: [],
  });
  for (const path of [
    'server.port',
    'server.tokens',
    'limits.max_runs',
    'limits.queue_size',
    'backends.rel',
    'backends.odd',
    'backends.ok.input',
    'backends.ok.output',
  ])
    assert.ok(
      warnings.some((w) => w.startsWith(path)),
      `warns about ${path}: ${warnings.join(' | ')}`,
    );
});

test('TETHER_* overrides; a malformed one keeps the value and warns', async () => {
  const { config, warnings } = await loadConfig({
    env: {
      TETHER_PORT: '0',
      TETHER_HOST: '::1',
      TETHER_TOKENS: 'a, b',
      TETHER_MAX_RUNS: 'many',
      TETHER_WORKSPACE_ROOTS: '/a:/b',
    },
  });
  assert.equal(config.server.port, 0);
  assert.equal(config.server.host, '::1');
  assert.deepEqual(config.server.tokens, ['a', 'b']);
  assert.equal(config.limits.maxRuns, DEFAULT_LIMITS.maxRuns);
  assert.deepEqual(config.workspaces.roots, ['/a', '/b']);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /^TETHER_MAX_RUNS/);
});

test('an unreadable or unparseable file is ERR_CONFIG', async (t) => {
  await assert.rejects(loadConfig({ file: '/nonexistent/tether.yaml', env: {} }), { code: 'ERR_CONFIG' });
  const file = tempFile(t, 'broken.yaml', 'server: [unclosed\n');
  await assert.rejects(loadConfig({ file, env: {} }), { code: 'ERR_CONFIG' });
});

test('health and log: defaults, file keys, env overrides, and malformed values fall back with a warning', async (t) => {
  const none = await loadConfig({ env: {}, cwd: '/tmp' });
  assert.deepEqual(none.config.health, DEFAULT_HEALTH_CONFIG);
  assert.deepEqual(none.config.log, { level: 'info' });

  const file = tempFile(
    t,
    'h.yaml',
    [
      'health:',
      '  port: 9102',
      '  stall_threshold_s: 5',
      '  leak_grace_s: 10',
      '  memory_high_water: 536870912',
      '  memory_low_water: 402653184',
      'log: { level: debug }',
      '',
    ].join('\n'),
  );
  const good = await loadConfig({ file, env: {} });
  assert.deepEqual(good.warnings, []);
  assert.deepEqual(good.config.health, {
    port: 9102,
    stallThresholdS: 5,
    leakGraceS: 10,
    memoryHighWater: 536870912,
    memoryLowWater: 402653184,
    memoryIntervalS: 5,
  });
  assert.equal(good.config.log?.level, 'debug');

  const env = await loadConfig({ file, env: { TETHER_HEALTH_PORT: '0', TETHER_LOG_LEVEL: 'warn' } });
  assert.equal(env.config.health?.port, 0);
  assert.equal(env.config.log?.level, 'warn');

  const bad = tempFile(
    t,
    'bad.yaml',
    'health: { stall_threshold_s: -1, memory_high_water: 0.9, memory_low_water: 4096 }\nlog: { level: loud }\n',
  );
  const fallen = await loadConfig({
    file: bad,
    env: { TETHER_HEALTH_PORT: 'eighty', TETHER_LOG_LEVEL: 'shout' },
  });
  assert.equal(fallen.config.health?.stallThresholdS, DEFAULT_HEALTH_CONFIG.stallThresholdS);
  assert.equal(fallen.config.health?.port, null);
  assert.equal(fallen.config.health?.memoryHighWater, 0.9);
  assert.ok(Math.abs((fallen.config.health?.memoryLowWater ?? 0) - 0.81) < 1e-9);
  assert.equal(fallen.config.log?.level, 'info');
  const joined = fallen.warnings.join('\n');
  for (const key of [
    'health.stall_threshold_s',
    'health.memory_low_water',
    'log.level',
    'TETHER_HEALTH_PORT',
    'TETHER_LOG_LEVEL',
  ])
    assert.ok(joined.includes(key), `no warning for ${key}:\n${joined}`);
});
