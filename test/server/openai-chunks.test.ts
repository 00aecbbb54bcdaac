import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_TYPES, type AgentType } from '../../src/backends/agent-config.ts';
import { CLIS_DIR } from '../helpers/agent-runs.ts';
import { startTestServer } from '../helpers/server.ts';

type Scenario = 'normal' | 'error' | 'tool-using';

/**
 * The `data:` payloads of each fake's stream, id and created left out. Whole-message texts are separated by a
 * blank line; a failure ends in an error object; tool calls stay inside the agent (no OpenAI tool_calls).
 */
const ROLE = {
  choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
};
const content = (text: string) => ({
  choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }],
});
const STOP = { choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] };
const failed = (message: string) => ({
  error: { message, type: 'server_error', param: null, code: 'ERR_AGENT_FAILED' },
});

const EXPECTED: Record<AgentType, Record<Scenario, object[]>> = {
  claude: {
    normal: [ROLE, content('The entry point is empty.'), STOP],
    error: [
      ROLE,
      content('Failed to authenticate: OAuth session expired and could not be refreshed'),
      failed('Failed to authenticate: OAuth session expired and could not be refreshed'),
    ],
    'tool-using': [ROLE, content('The entry point is empty.'), STOP],
  },
  codex: {
    normal: [ROLE, content('Yep — there’s a `README.md` in the repository root.'), STOP],
    error: [
      ROLE,
      failed('unexpected status 401 Unauthorized: Missing bearer or basic authentication in header'),
    ],
    'tool-using': [ROLE, content('Yep — there’s a `README.md` in the repository root.'), STOP],
  },
  opencode: {
    normal: [ROLE, content('Hi! How can I help you today?'), STOP],
    error: [ROLE, failed('Invalid Authentication')],
    'tool-using': [ROLE, content('Hi! How can I help you today?'), STOP],
  },
  kimi: {
    normal: [ROLE, content('Hello! How can I help you?'), STOP],
    error: [
      ROLE,
      content('LLM provider error: Error code: 429 - rate limit reached\n'),
      failed('LLM provider error: Error code: 429 - rate limit reached'),
    ],
    'tool-using': [
      ROLE,
      content('Let me check the current directory.'),
      content('\n\nThere are two Python files.'),
      STOP,
    ],
  },
  pi: {
    normal: [ROLE, content('Hello'), content(' there'), STOP],
    error: [ROLE, failed('401 Missing Authentication header')],
    'tool-using': [ROLE, content('done'), STOP],
  },
};

for (const scenario of ['normal', 'error', 'tool-using'] as const) {
  test(`OpenAI chunks, ${scenario}: each fake's exact stream`, async (t) => {
    const server = await startTestServer(t, {
      backends: Object.fromEntries(
        AGENT_TYPES.map((type) => [
          type,
          { type, binary: `${CLIS_DIR}${type}`, args: [], env: ['FAKE_CLI_SCENARIO'] },
        ]),
      ),
    });
    const saved = process.env.FAKE_CLI_SCENARIO;
    process.env.FAKE_CLI_SCENARIO = scenario;
    t.after(() => {
      if (saved === undefined) delete process.env.FAKE_CLI_SCENARIO;
      else process.env.FAKE_CLI_SCENARIO = saved;
    });
    for (const type of AGENT_TYPES) {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: type, messages: [{ role: 'user', content: 'hi' }], stream: true }),
      });
      assert.equal(response.status, 200);
      const data = (await response.text())
        .split('\n\n')
        .filter((frame) => frame.startsWith('data: '))
        .map((frame) => frame.slice(6));
      assert.equal(data.at(-1), '[DONE]', type);
      const chunks = data.slice(0, -1).map((text) => JSON.parse(text) as Record<string, unknown>);
      for (const chunk of chunks.filter((c) => !('error' in c))) {
        assert.equal(chunk.object, 'chat.completion.chunk');
        assert.equal(chunk.model, type);
        assert.match(String(chunk.id), /^chatcmpl-/);
      }
      const stripped = chunks.map((c) => ('error' in c ? { ...c } : { choices: c.choices }));
      assert.deepEqual(stripped, EXPECTED[type][scenario], `${type} ${scenario}`);
    }
  });
}
