import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunEvent } from '../../src/runs/events.ts';
import { CompletionState } from '../../src/server/openai/completion.ts';
import { renderPrompt } from '../../src/server/openai/request.ts';

function fold(events: RunEvent[]): { pieces: string[]; state: CompletionState } {
  const state = new CompletionState();
  return { pieces: events.map((event) => state.add(event)).filter(Boolean), state };
}

const exit = (code: number | null, reason: 'completed' | 'output_limit' = 'completed'): RunEvent => ({
  type: 'exit',
  code,
  signal: null,
  reason,
});

test('stream pieces and the non-stream content agree: deltas run on, whole messages after a blank line', () => {
  const { pieces, state } = fold([
    { type: 'text', text: 'Looking.' },
    { type: 'text', text: 'It ', delta: true },
    { type: 'text', text: 'is.', delta: true },
    { type: 'text', text: 'Done.' },
    exit(0),
  ]);
  assert.deepEqual(pieces, ['Looking.', '\n\nIt ', 'is.', '\n\nDone.']);
  assert.deepEqual(state.outcome(), { content: pieces.join(''), finishReason: 'stop' });
});

test('the result is the answer; usage maps to OpenAI fields', () => {
  const { state } = fold([
    { type: 'text', text: 'thinking aloud' },
    { type: 'usage', inputTokens: 10, outputTokens: 5, costUsd: 0.1 },
    { type: 'result', text: 'answer' },
    exit(0),
  ]);
  assert.deepEqual(state.outcome(), {
    content: 'answer',
    finishReason: 'stop',
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  });
});

test('failures: retryable 503, plain 502, a non-zero exit without a result 502, output limit is length', () => {
  const retryable = fold([
    { type: 'error', code: 'ERR_AGENT_FAILED', message: 'busy', retryable: true },
    exit(75),
  ]);
  assert.equal(retryable.state.outcome().error?.status, 503);
  const timeout = fold([
    { type: 'error', code: 'ERR_RUN_TIMEOUT', message: 'run ended: timeout' },
    exit(null),
  ]);
  assert.equal(timeout.state.outcome().error?.status, 504);
  const crashed = fold([{ type: 'text', text: 'half' }, exit(2)]);
  assert.deepEqual(crashed.state.outcome().error, {
    code: 'ERR_AGENT_FAILED',
    message: 'the agent exited with code 2 and no result',
    status: 502,
  });
  const long = fold([
    { type: 'text', text: 'lots' },
    { type: 'error', code: 'ERR_RUN_OUTPUT_LIMIT', message: 'x' },
    exit(null, 'output_limit'),
  ]);
  assert.deepEqual(long.state.outcome(), { content: 'lots', finishReason: 'length' });
});

test('a lone user message is the prompt as is; otherwise system first, then the conversation', () => {
  assert.equal(renderPrompt([{ role: 'user', text: 'just this' }]), 'just this');
  assert.equal(
    renderPrompt([
      { role: 'user', text: 'q' },
      { role: 'developer', text: 'rules' },
    ]),
    '[System]\nrules\n\n[User]\nq',
  );
});
