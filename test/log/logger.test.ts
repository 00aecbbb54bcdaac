import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS, DEFAULT_SERVER, type TetherConfig } from '../../src/config/schema.ts';
import { createLogger } from '../../src/log/logger.ts';
import { RateLimit } from '../../src/log/rate-limit.ts';
import { SecretRedactor, secretValues } from '../../src/log/redact.ts';
import { serverLogger } from '../../src/server/server.ts';
import { startTestServer } from '../helpers/server.ts';
import { SseStream } from '../helpers/sse-client.ts';

function capture(): { lines: () => Record<string, unknown>[]; raw: () => string; write(line: string): void } {
  let text = '';
  return {
    write: (line: string) => {
      text += line;
    },
    raw: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

test('a secret never leaves in a line: in the message, in a field, or JSON-escaped', () => {
  const out = capture();
  const secret = 'sk-live-"quoted"\\slash-1234567890';
  const log = createLogger({ secrets: ['tok_abcdef123456', secret, 'short'], destination: out });
  log.info(
    { header: 'Bearer tok_abcdef123456', nested: { key: secret } },
    `got tok_abcdef123456 and ${secret}`,
  );
  log.info(
    { token: 'any-token-field', authorization: 'Basic abc' },
    'fields censored by path; a short word stays',
  );
  const raw = out.raw();
  assert.ok(!raw.includes('tok_abcdef123456'), raw);
  assert.ok(!raw.includes('sk-live'), raw);
  assert.ok(!raw.includes('any-token-field'), raw);
  const [first, second] = out.lines();
  assert.equal(first?.msg, 'got [REDACTED] and [REDACTED]');
  assert.equal(first?.header, 'Bearer [REDACTED]');
  assert.deepEqual(first?.nested, { key: '[REDACTED]' });
  assert.equal(second?.token, '[REDACTED]');
  assert.equal(second?.level, 'info');
  assert.match(second?.msg as string, /a short word stays/);
});

test('secretValues: tokens, passed-through variables, and variables named like secrets', () => {
  const env = { MY_KEY_VAR: 'value-one-long', OPENAI_API_KEY: 'value-two-long', HOME: '/root', PATH: '/bin' };
  const values = secretValues(['bearer-token-1'], ['MY_KEY_VAR'], env);
  assert.deepEqual(values.sort(), ['bearer-token-1', 'value-one-long', 'value-two-long']);
  assert.equal(
    new SecretRedactor(values).redact('HOME=/root key=value-one-long'),
    'HOME=/root key=[REDACTED]',
  );
});

test('RateLimit: at most n per window, and the dropped count is handed over once', () => {
  const limit = new RateLimit(3, 1000);
  const passed = [0, 1, 2, 3, 4, 5].map((i) => limit.allow(1000 + i));
  assert.deepEqual(passed, [true, true, true, false, false, false]);
  assert.equal(limit.allow(2000), true);
  assert.equal(limit.takeDropped(), 3);
  assert.equal(limit.takeDropped(), 0);
});

test('a run logs start and end with its runId, its stderr at debug (rate-limited), and a passed-through key redacted', async (t) => {
  const key = 'sk-test-9f8e7d6c5b4a39281706';
  process.env.TETHER_TEST_PASSED_KEY = key;
  t.after(() => delete process.env.TETHER_TEST_PASSED_KEY);
  const backends: TetherConfig['backends'] = {
    chatty: {
      type: 'command',
      argv: ['/bin/sh', '-c', 'echo "using $TETHER_TEST_PASSED_KEY" >&2; seq 1 500 >&2; echo done'],
      input: 'none',
      output: 'text',
      env: ['TETHER_TEST_PASSED_KEY'],
    },
  };
  const out = capture();
  const config: TetherConfig = {
    server: DEFAULT_SERVER,
    limits: DEFAULT_LIMITS,
    workspaces: { roots: [process.cwd()] },
    backends,
    log: { level: 'debug' },
  };
  const server = await startTestServer(t, { backends, start: { logger: serverLogger(config, out) } });
  const stream = await SseStream.open(`${server.url}/v1/runs`, {
    method: 'POST',
    body: { backend: 'chatty', prompt: '' },
  });
  const runId = (await stream.waitForType('start')).data.runId;
  assert.equal((await stream.waitForType('exit')).data.reason, 'completed');
  const deadline = Date.now() + 5000;
  while (!out.raw().includes('run ended') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));

  assert.ok(!out.raw().includes(key), 'the passed-through key reached the log');
  const lines = out.lines().filter((line) => line.runId === runId);
  const started = lines.find((line) => line.msg === 'run started');
  const ended = lines.find((line) => line.msg === 'run ended');
  assert.equal(started?.backend, 'chatty');
  assert.equal(ended?.reason, 'completed');
  const stderr = lines.filter((line) => line.msg === 'stderr');
  assert.equal(stderr[0]?.stderr, 'using [REDACTED]');
  assert.equal(stderr[0]?.level, 'debug');
  assert.ok(
    stderr.length <= 40,
    `${stderr.length} stderr lines logged: more than 20 a second for at most two windows`,
  );
  assert.ok((ended?.stderrDropped as number) + stderr.length >= 480, JSON.stringify(ended));
});
