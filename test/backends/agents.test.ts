import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AGENT_TYPES, type AgentType } from '../../src/backends/agent-config.ts';
import { fakeAgent, runAgent } from '../helpers/agent-runs.ts';
import { survivorsAfter } from '../helpers/processes.ts';
import { EXPECTED } from './expected-events.ts';

/** How each fake's error scenario exits: pi exits 0 although the model call failed; kimi 75 = retryable. */
const ERROR_EXIT: Record<AgentType, number> = { claude: 1, codex: 1, opencode: 1, kimi: 75, pi: 0 };

const completed = (code: number) => ({ type: 'exit', code, signal: null, reason: 'completed' });

for (const type of AGENT_TYPES) {
  describe(`${type} fake → normalized events`, () => {
    const expected = EXPECTED[type] as (typeof EXPECTED)[string];

    test('normal, error and tool-using print exactly the expected events', async () => {
      for (const scenario of ['normal', 'error', 'tool-using'] as const) {
        const run = await runAgent(fakeAgent(type, scenario));
        const code = scenario === 'error' ? ERROR_EXIT[type] : 0;
        assert.deepEqual(run.events, [...expected[scenario], completed(code)], scenario);
        if (run.root) assert.deepEqual(await survivorsAfter([run.root]), []);
      }
    });

    test('hang after the final line: ended after the linger grace with SIGTERM, answer kept', async () => {
      const run = await runAgent(fakeAgent(type, 'hang-after-final-line'));
      assert.deepEqual(run.events, [
        ...expected.normal,
        { type: 'exit', code: null, signal: 'SIGTERM', reason: 'completed' },
      ]);
      assert.deepEqual(await survivorsAfter([run.root as NonNullable<typeof run.root>]), []);
    });

    test('ignore SIGTERM after the final line: SIGKILL after the kill grace', async () => {
      const run = await runAgent(fakeAgent(type, 'ignore-sigterm'));
      assert.deepEqual(run.events, [
        ...expected.normal,
        { type: 'exit', code: null, signal: 'SIGKILL', reason: 'completed' },
      ]);
    });

    test('a tool shell in its own session is gone after the CLI exits', async () => {
      const run = await runAgent(fakeAgent(type, 'tool-shell-escapes'));
      assert.deepEqual(run.events, [...expected['tool-using'], completed(0)]);
      assert.equal(run.escapees.length, 1, 'the fake announced its escapee while it ran');
      assert.deepEqual(await survivorsAfter(run.escapees), []);
    });

    test('a tool shell escapee is gone when a timeout ends the CLI, and when the linger grace does', async () => {
      const hung = { vars: { FAKE_CLI_HANG: '1' } };
      const timedOut = await runAgent(fakeAgent(type, 'tool-shell-escapes', hung), {
        lingerMs: 5000,
        timeoutS: 0.3,
      });
      assert.equal(timedOut.view.exit?.reason, 'timeout');
      assert.equal(timedOut.escapees.length, 1);
      assert.deepEqual(await survivorsAfter(timedOut.escapees), []);
      const lingered = await runAgent(fakeAgent(type, 'tool-shell-escapes', hung));
      assert.deepEqual(lingered.events.at(-1), {
        type: 'exit',
        code: null,
        signal: 'SIGTERM',
        reason: 'completed',
      });
      assert.equal(lingered.escapees.length, 1);
      assert.deepEqual(await survivorsAfter(lingered.escapees), []);
    });

    test('argv: the model (request, else configured default), extra args, a prompt starting with "-"', async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'tether-argv-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, 'argv');
      const backend = fakeAgent(type, 'normal', {
        model: 'default-model',
        args: ['--extra'],
        vars: { FAKE_CLI_ARGV_FILE: file },
      });
      await runAgent(backend, { prompt: '--help me' });
      const argv = readFileSync(file, 'utf8').split('\n').slice(0, -1);
      assert.ok(argv.includes('--extra'), argv.join(' '));
      assert.ok(argv.includes('default-model'), argv.join(' '));
      assert.ok(!argv.includes('--help me'), 'the prompt is never read as a flag');
      assert.ok(argv.some((arg) => arg.endsWith(' --help me')));
      const plan = backend.launch({ prompt: 'p', cwd: '/tmp', model: 'asked' });
      assert.ok(plan.argv.includes('asked') || plan.argv.includes('--model=asked'));
      assert.ok(!plan.argv.includes('default-model'));
      assert.equal(plan.stdin, 'ignore');
    });
  });
}

test('kimi: exit 1 after a plain-text error is a permanent failure (not retryable)', async () => {
  const run = await runAgent(fakeAgent('kimi', 'error', { vars: { FAKE_KIMI_EXIT: '1' } }));
  assert.deepEqual(run.events, [
    { type: 'text', text: 'LLM provider error: Error code: 429 - rate limit reached\n' },
    {
      type: 'error',
      code: 'ERR_AGENT_FAILED',
      message: 'LLM provider error: Error code: 429 - rate limit reached',
    },
    completed(1),
  ]);
});

test('claude with --include-partial-messages: deltas, and the whole assistant line does not repeat them', async () => {
  const run = await runAgent(fakeAgent('claude', 'normal', { args: ['--include-partial-messages'] }));
  assert.deepEqual(run.events.slice(0, 3), [
    { type: 'text', text: 'The entry ', delta: true },
    { type: 'text', text: 'point is empty.', delta: true },
    { type: 'usage', inputTokens: 28909, outputTokens: 77, costUsd: 0.0412 },
  ]);
});

test('claude without --verbose would fail: the backend always passes it', () => {
  const plan = fakeAgent('claude', 'normal').launch({ prompt: 'p', cwd: '/tmp' });
  assert.deepEqual(plan.argv.slice(1, 5), ['-p', '--output-format', 'stream-json', '--verbose']);
});
