import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import OpenAI from 'openai';
import { AGENT_TYPES, type AgentType } from '../../src/backends/agent-config.ts';
import type { TetherConfig } from '../../src/config/schema.ts';
import type { RunEvent } from '../../src/runs/events.ts';
import type { TetherServer } from '../../src/server/server.ts';
import { CLIS_DIR, type Scenario } from '../helpers/agent-runs.ts';
import { identitiesOf, survivorsAfter } from '../helpers/processes.ts';
import { fixtureBackends, startTestServer } from '../helpers/server.ts';

/** The final answer each fake gives in its normal scenario. */
const ANSWER: Record<AgentType, string> = {
  claude: 'The entry point is empty.',
  codex: 'Yep — there’s a `README.md` in the repository root.',
  opencode: 'Hi! How can I help you today?',
  kimi: 'Hello! How can I help you?',
  pi: 'Hello there',
};

/** The fakes as configured backends; the scenario comes from the server's environment. */
function agentBackends(): TetherConfig['backends'] {
  const backends: Record<string, TetherConfig['backends'][string]> = { ...fixtureBackends() };
  for (const type of AGENT_TYPES) {
    backends[type] = {
      type,
      binary: `${CLIS_DIR}${type}`,
      args: [],
      env: ['FAKE_CLI_SCENARIO', 'FAKE_CLI_ARGV_FILE', 'FAKE_CLI_HANG'],
      ...(type === 'claude' ? { model: 'opus' } : {}),
    };
  }
  return backends;
}

function setEnv(t: TestContext, vars: Record<string, string>): void {
  for (const [name, value] of Object.entries(vars)) {
    const saved = process.env[name];
    process.env[name] = value;
    t.after(() => {
      if (saved === undefined) delete process.env[name];
      else process.env[name] = saved;
    });
  }
}

async function setup(
  t: TestContext,
  scenario: Scenario,
  limits: Partial<TetherConfig['limits']> = {},
): Promise<{ server: TetherServer; client: OpenAI }> {
  setEnv(t, { FAKE_CLI_SCENARIO: scenario });
  const server = await startTestServer(t, { backends: agentBackends(), limits });
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  return { server, client };
}

test('GET /v1/models: one model per backend, and backend/model where a model is configured', async (t) => {
  const { client } = await setup(t, 'normal');
  const ids = [];
  for await (const model of client.models.list()) ids.push(model.id);
  for (const type of AGENT_TYPES) assert.ok(ids.includes(type), type);
  assert.ok(ids.includes('claude/opus'));
});

test('non-stream: every CLI answers through the openai client with usage and finish_reason stop', async (t) => {
  const { client } = await setup(t, 'normal');
  for (const type of AGENT_TYPES) {
    const response = await client.chat.completions.create({
      model: type,
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(response.object, 'chat.completion');
    assert.equal(response.model, type);
    assert.equal(response.choices[0]?.message.content, ANSWER[type], type);
    assert.equal(response.choices[0]?.finish_reason, 'stop');
    if (type !== 'kimi') assert.ok(response.usage && response.usage.total_tokens > 0, type);
  }
});

test('stream: every CLI streams chunks ending in finish_reason stop, [DONE], and usage when asked', async (t) => {
  const { client } = await setup(t, 'normal');
  for (const type of AGENT_TYPES) {
    const stream = await client.chat.completions.create({
      model: type,
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    const finish: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice) {
        content += choice.delta.content ?? '';
        finish.push(choice.finish_reason);
      } else usage = chunk.usage;
    }
    assert.equal(content, ANSWER[type], type);
    assert.equal(finish.at(-1), 'stop');
    if (type === 'claude')
      assert.deepEqual(usage, { prompt_tokens: 28909, completion_tokens: 77, total_tokens: 28986 });
  }
});

test('messages are rendered into one prompt: system first, then the conversation; a model after the slash', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tether-openai-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'argv');
  setEnv(t, { FAKE_CLI_ARGV_FILE: file });
  const { client } = await setup(t, 'normal');
  await client.chat.completions.create({
    model: 'claude/sonnet',
    messages: [
      { role: 'user', content: 'Question one' },
      { role: 'assistant', content: 'Answer one' },
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Question two' }] },
    ],
  });
  const argv = readFileSync(file, 'utf8');
  assert.ok(argv.includes('--model\nsonnet\n'), argv);
  assert.ok(
    argv.endsWith(
      '[System]\nBe brief.\n\n[User]\nQuestion one\n\n[Assistant]\nAnswer one\n\n[User]\nQuestion two\n',
    ),
    argv,
  );
});

test('failures are OpenAI errors: agent failure 502, retryable 503, unknown model 404, bad body 400', async (t) => {
  const { server, client } = await setup(t, 'error');
  const messages = [{ role: 'user' as const, content: 'hi' }];
  await assert.rejects(client.chat.completions.create({ model: 'claude', messages }), (error) => {
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 502);
    assert.equal(error.code, 'ERR_AGENT_FAILED');
    assert.match(error.message, /Failed to authenticate/);
    return true;
  });
  await assert.rejects(client.chat.completions.create({ model: 'kimi', messages }), { status: 503 });
  await assert.rejects(client.chat.completions.create({ model: 'pi', messages }), { status: 502 });
  await assert.rejects(client.chat.completions.create({ model: 'nope', messages }), { status: 404 });
  const stream = await client.chat.completions.create({ model: 'codex', messages, stream: true });
  await assert.rejects(
    (async () => {
      for await (const _ of stream);
    })(),
    /401 Unauthorized/,
  );
  const bad = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude', messages: [] }),
  });
  assert.equal(bad.status, 400);
  const body = (await bad.json()) as { error: { type: string; code: string } };
  assert.equal(body.error.type, 'invalid_request_error');
  assert.equal(body.error.code, 'ERR_BAD_REQUEST');
});

test('a stream the client abandons ends the run as disconnected, escapee included', async (t) => {
  const { server, client } = await setup(t, 'normal');
  const controller = new AbortController();
  const { data: stream, response } = await client.chat.completions
    .create(
      { model: 'spawn-setsid-grandchild', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { signal: controller.signal },
    )
    .withResponse();
  const run = server.manager.get(response.headers.get('x-tether-run-id') as string);
  assert.ok(run);
  const pids = await announced(run.events.since.bind(run.events), run.events.subscribe.bind(run.events));
  const tree = identitiesOf([run.view().pid, ...pids]);
  controller.abort();
  // The client either ends the iteration or throws its abort: both are fine, the run must end.
  await (async () => {
    for await (const _ of stream);
  })().catch(() => undefined);
  const view = await run.finished;
  assert.equal(view.exit?.reason, 'disconnected');
  assert.deepEqual(await survivorsAfter(tree), []);
});

test('a non-stream request the client abandons ends its run and tree at once', async (t) => {
  const { server, client } = await setup(t, 'normal');
  const controller = new AbortController();
  const pending = client.chat.completions.create(
    { model: 'spawn-setsid-grandchild', messages: [{ role: 'user', content: 'hi' }] },
    { signal: controller.signal },
  );
  pending.catch(() => undefined);
  const child = await until(() =>
    server.registry.list().find((c) => c.labels.backend === 'spawn-setsid-grandchild' && c.treeSize >= 2),
  );
  const root = identitiesOf([child.pid]);
  controller.abort();
  await assert.rejects(pending);
  assert.deepEqual(await survivorsAfter(root), []);
  await until(() => server.manager.live === 0 || undefined);
});

test('auth and body errors on the OpenAI routes are OpenAI error objects too', async (t) => {
  setEnv(t, { FAKE_CLI_SCENARIO: 'normal' });
  const server = await startTestServer(t, { backends: agentBackends(), server: { tokens: ['s3cret'] } });
  const wrong = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(wrong.models.list(), (error) => {
    assert.ok(error instanceof OpenAI.AuthenticationError);
    assert.equal(error.code, 'ERR_UNAUTHORIZED');
    return true;
  });
  const invalid = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' },
    body: '{"model":',
  });
  assert.equal(invalid.status, 400);
  assert.deepEqual(await invalid.json(), {
    error: {
      message: 'the body is not valid JSON',
      type: 'invalid_request_error',
      param: null,
      code: 'ERR_INVALID_JSON',
    },
  });
  const right = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 's3cret', maxRetries: 0 });
  const answer = await right.chat.completions.create({
    model: 'pi',
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.equal(answer.choices[0]?.message.content, 'Hello there');
});

/** Polls (bounded) until `probe` returns something. */
async function until<T>(probe: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('timeouts and admission are those of /v1/runs: 504 after timeout_s, 429 when full', async (t) => {
  setEnv(t, { FAKE_CLI_HANG: '1' });
  const { server, client } = await setup(t, 'tool-shell-escapes', { maxRuns: 1, queueSize: 0 });
  const messages = [{ role: 'user' as const, content: 'hi' }];
  const hung = client.chat.completions.create({
    model: 'spawn-setsid-grandchild',
    messages,
    // @ts-expect-error Tether's own run options ride along in the body.
    tether: { timeout_s: 1 },
  });
  hung.catch(() => undefined);
  await until(() => server.manager.live === 1 || undefined);
  const refused = client.chat.completions.create({ model: 'claude', messages });
  await assert.rejects(refused, { status: 429 });
  await assert.rejects(hung, { status: 504 });
});

/** The pids a fixture announced as `grandchild PID` on stdout, waited for (bounded). */
async function announced(
  since: (after: number) => { event: RunEvent }[],
  subscribe: (listener: () => void) => () => void,
): Promise<number[]> {
  const find = (): number[] =>
    since(0).flatMap(({ event }) =>
      event.type === 'stdout'
        ? [...event.data.matchAll(/^grandchild (\d+)$/gm)].map((m) => Number(m[1]))
        : [],
    );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no grandchild announced')), 3000);
    const check = (): void => {
      const pids = find();
      if (pids.length === 0) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(pids);
    };
    const unsubscribe = subscribe(check);
    check();
  });
}
