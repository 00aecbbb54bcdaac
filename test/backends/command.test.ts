import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandBackend } from '../../src/backends/command.ts';
import { childEnvironment } from '../../src/backends/environment.ts';

const base = { type: 'command' as const, argv: ['/bin/prog', '--flag'], output: 'text' as const, env: [] };
const request = { prompt: 'do it', cwd: '/tmp' };

test('input: arg appends the prompt; stdin writes it then EOF; none ignores it', () => {
  assert.deepEqual(commandBackend('a', { ...base, input: 'arg' }).launch(request).argv, [
    '/bin/prog',
    '--flag',
    'do it',
  ]);
  const viaStdin = commandBackend('s', { ...base, input: 'stdin' }).launch(request);
  assert.deepEqual(viaStdin.argv, ['/bin/prog', '--flag']);
  assert.deepEqual(viaStdin.stdin, { text: 'do it' });
  assert.equal(commandBackend('n', { ...base, input: 'none' }).launch(request).stdin, 'ignore');
});

test('text output passes chunks through as stdout and stderr lines as stderr', () => {
  const parser = commandBackend('t', { ...base, input: 'none' }).parser();
  assert.deepEqual(parser.stdout('a\nb'), [{ type: 'stdout', data: 'a\nb' }]);
  assert.deepEqual(parser.stderr('oops'), [{ type: 'stderr', data: 'oops' }]);
  assert.deepEqual(parser.end(), []);
});

test('jsonl output: known events pass through, reserved and unknown types are wrapped, lines split across chunks', () => {
  const parser = commandBackend('j', { ...base, input: 'none', output: 'jsonl' }).parser();
  assert.deepEqual(parser.stdout('{"type":"text","te'), []);
  assert.deepEqual(parser.stdout('xt":"hi"}\n{"type":"exit","code":0}\nplain\n'), [
    { type: 'text', text: 'hi' },
    { type: 'json', data: { type: 'exit', code: 0 } },
    { type: 'stdout', data: 'plain\n' },
  ]);
  assert.deepEqual(parser.stdout('{"type":"result","text":"done"}'), []);
  assert.deepEqual(parser.end(), [{ type: 'result', text: 'done' }]);
});

test('the child environment is the base names plus the allowlist, copied by name', () => {
  const env = childEnvironment(['API_KEY'], { PATH: '/bin', API_KEY: 'k', SECRET: 's', HOME: '/root' });
  assert.deepEqual(env, { PATH: '/bin', HOME: '/root', API_KEY: 'k' });
});
