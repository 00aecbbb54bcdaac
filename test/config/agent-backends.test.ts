import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AGENT_TYPES } from '../../src/backends/agent-config.ts';
import { loadConfig } from '../../src/config/load.ts';
import { CLIS_DIR } from '../helpers/agent-runs.ts';
import { startTestServer } from '../helpers/server.ts';
import { requestJson } from '../helpers/sse-client.ts';

test('no file: the five agent CLIs under their own names, looked up on PATH', async () => {
  const { config } = await loadConfig({ env: {}, cwd: '/tmp' });
  for (const type of AGENT_TYPES)
    assert.deepEqual(config.backends[type], { type, binary: type, args: [], env: [] });
});

test('agent backends in the config file: binary, args, model, env, permission_mode; bad ones skipped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-agents-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tether.yaml');
  writeFileSync(
    file,
    [
      'backends:',
      '  reviewer: { type: claude, binary: /opt/claude, args: [--max-turns, "3"], model: opus, env: [ANTHROPIC_API_KEY], permission_mode: bypassPermissions }',
      '  k: { type: kimi }',
      '  rel: { type: pi, binary: bin/pi }',
    ].join('\n'),
  );
  const { config, warnings } = await loadConfig({ file, env: {} });
  assert.deepEqual(config.backends, {
    reviewer: {
      type: 'claude',
      binary: '/opt/claude',
      args: ['--max-turns', '3'],
      env: ['ANTHROPIC_API_KEY'],
      model: 'opus',
      permissionMode: 'bypassPermissions',
    },
    k: { type: 'kimi', binary: 'kimi', args: [], env: [] },
  });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] as string, /^backends\.rel: skipped/);
});

test('GET /v1/backends: an agent CLI whose binary is missing is listed as unavailable', async (t) => {
  const server = await startTestServer(t, {
    backends: {
      claude: { type: 'claude', binary: 'tether-test-no-such-claude', args: [], env: [] },
      pi: { type: 'pi', binary: `${CLIS_DIR}pi`, args: [], env: [] },
    },
  });
  const { body } = await requestJson(`${server.url}/v1/backends`);
  assert.deepEqual(body.backends, [
    { name: 'claude', type: 'claude', available: false },
    { name: 'pi', type: 'pi', available: true },
  ]);
});
