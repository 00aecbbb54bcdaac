import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { test } from 'node:test';
import { claudeParser } from '../../src/backends/claude.ts';
import { codexParser } from '../../src/backends/codex.ts';
import { kimiParser } from '../../src/backends/kimi.ts';
import { opencodeParser } from '../../src/backends/opencode.ts';
import { piParser } from '../../src/backends/pi.ts';

test('a non-JSON line is skipped and published on tether:backend:skipped-line; the stream goes on', (t) => {
  const skipped: unknown[] = [];
  const listener = (message: unknown): void => {
    skipped.push(message);
  };
  subscribe('tether:backend:skipped-line', listener);
  t.after(() => unsubscribe('tether:backend:skipped-line', listener));
  const parser = opencodeParser();
  const events = parser.stdout(
    '! permission requested: bash (rm *); auto-rejecting\n{"type":"text","part":{"text":"ok"}}\n',
  );
  assert.deepEqual(events, [{ type: 'text', text: 'ok' }]);
  assert.deepEqual(skipped, [
    { backend: 'opencode', line: '! permission requested: bash (rm *); auto-rejecting' },
  ]);
});

test('lines split on \\n only: U+2028 inside a JSON string stays in the line; chunks may split anywhere', () => {
  const parser = piParser();
  const line = '{"type":"message_update","assistantMessageEvent":{"type":"text_delta","delta":"a\u2028b"}}\n';
  const events = [...parser.stdout(line.slice(0, 30)), ...parser.stdout(line.slice(30))];
  assert.deepEqual(events, [{ type: 'text', text: 'a\u2028b', delta: true }]);
});

test('a last line without a newline is parsed at end', () => {
  const parser = codexParser();
  assert.deepEqual(parser.stdout('{"type":"turn.failed","error":{"message":"boom"}}'), []);
  assert.equal(parser.finished, false);
  assert.deepEqual(parser.end({ code: 1, signal: null }), [
    { type: 'error', code: 'ERR_AGENT_FAILED', message: 'boom' },
  ]);
  assert.equal(parser.finished, true);
});

test('claude: a non-success subtype is a failure; a rejected rate limit is a retryable error', () => {
  const parser = claudeParser();
  assert.deepEqual(
    parser.stdout(
      '{"type":"rate_limit_event","rate_limit_info":{"status":"rejected"}}\n{"type":"result","subtype":"error_max_turns","is_error":false,"session_id":"s"}\n',
    ),
    [
      { type: 'error', code: 'ERR_AGENT_FAILED', message: 'rate limit rejected', retryable: true },
      { type: 'error', code: 'ERR_AGENT_FAILED', message: 'error_max_turns' },
    ],
  );
  assert.equal(parser.finished, true);
});

test('codex: a transient error event is not a failure when the turn completes', () => {
  const parser = codexParser();
  const events = parser.stdout(
    '{"type":"error","message":"Reconnecting... 1/5"}\n{"type":"item.completed","item":{"id":"i","type":"agent_message","text":"hi"}}\n{"type":"turn.completed","usage":{"input_tokens":3,"output_tokens":1}}\n',
  );
  assert.deepEqual(events, [
    { type: 'text', text: 'hi' },
    { type: 'usage', inputTokens: 3, outputTokens: 1 },
    { type: 'result', text: 'hi' },
  ]);
});

test('opencode: a retryable API error says so, and ends the run (opencode may hang after it)', () => {
  const parser = opencodeParser();
  assert.deepEqual(
    parser.stdout(
      '{"type":"error","error":{"name":"APIError","data":{"message":"Overloaded","statusCode":529,"isRetryable":true}}}\n',
    ),
    [{ type: 'error', code: 'ERR_AGENT_FAILED', message: 'Overloaded', retryable: true }],
  );
  assert.equal(parser.finished, true);
});

test('kimi: array content keeps its text parts; exit 0 after plain text is no error', () => {
  const parser = kimiParser();
  assert.deepEqual(
    parser.stdout(
      'a notice\n{"role":"assistant","content":[{"type":"think","think":"hmm"},{"type":"text","text":"Hi"}]}\n',
    ),
    [
      { type: 'text', text: 'a notice\n' },
      { type: 'text', text: 'Hi' },
      { type: 'result', text: 'Hi' },
    ],
  );
  assert.deepEqual(parser.end({ code: 0, signal: null }), []);
});

test('pi: an aborted stop is a failure; usage sums over assistant messages', () => {
  const parser = piParser();
  const end = (usage: string, stop: string) =>
    `{"type":"message_end","message":{"role":"assistant","content":[],"usage":${usage},"stopReason":"${stop}"}}\n`;
  const events = parser.stdout(
    end('{"input":1,"output":2,"cost":{"total":0.5}}', 'toolUse') +
      end('{"input":3,"output":4,"cost":{"total":0.25}}', 'aborted') +
      '{"type":"agent_end","messages":[]}\n',
  );
  assert.deepEqual(events, [
    { type: 'usage', inputTokens: 4, outputTokens: 6, costUsd: 0.75 },
    { type: 'error', code: 'ERR_AGENT_FAILED', message: 'pi stopped: aborted' },
  ]);
});
