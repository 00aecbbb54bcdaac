import '../helpers/subreaper.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTestServer } from '../helpers/server.ts';

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly code: string;
}

const run = (body: object): string => JSON.stringify({ backend: 'streamer', prompt: '', ...body });

test('bad requests get a 4xx problem+json with a stable code, never a 5xx, and start nothing', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tether-root-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  symlinkSync('/etc', join(root, 'escape'));
  const server = await startTestServer(t, { roots: [root], server: { bodyLimitBytes: 4096 } });
  const cases: Case[] = [
    { name: 'not JSON', body: '{"backend":', status: 400, code: 'ERR_INVALID_JSON' },
    { name: 'empty JSON body', body: '', status: 400, code: 'ERR_BAD_REQUEST' },
    { name: 'an array', body: '[]', status: 400, code: 'ERR_BAD_REQUEST' },
    { name: 'null', body: 'null', status: 400, code: 'ERR_BAD_REQUEST' },
    { name: 'argv from the client', body: run({ argv: ['/bin/sh'] }), status: 400, code: 'ERR_BAD_REQUEST' },
    {
      name: 'env from the client',
      body: run({ env: { PATH: '/tmp' } }),
      status: 400,
      code: 'ERR_BAD_REQUEST',
    },
    { name: 'no backend', body: '{"prompt":""}', status: 400, code: 'ERR_BAD_REQUEST' },
    { name: 'prompt not a string', body: run({ prompt: 42 }), status: 400, code: 'ERR_BAD_REQUEST' },
    { name: 'NUL in the prompt', body: run({ prompt: 'a\u0000b' }), status: 400, code: 'ERR_BAD_REQUEST' },
    { name: 'unknown backend', body: run({ backend: 'nope' }), status: 404, code: 'ERR_BACKEND_NOT_FOUND' },
    {
      name: 'unknown option',
      body: run({ options: { binary: '/bin/sh' } }),
      status: 400,
      code: 'ERR_OPTION_NOT_ALLOWED',
    },
    {
      name: 'negative timeout',
      body: run({ options: { timeout_s: -1 } }),
      status: 400,
      code: 'ERR_OPTION_NOT_ALLOWED',
    },
    {
      name: 'huge timeout',
      body: run({ options: { timeout_s: 1e9 } }),
      status: 400,
      code: 'ERR_OPTION_NOT_ALLOWED',
    },
    {
      name: 'options not an object',
      body: run({ options: 'fast' }),
      status: 400,
      code: 'ERR_OPTION_NOT_ALLOWED',
    },
    { name: 'cwd outside the roots', body: run({ cwd: '/etc' }), status: 403, code: 'ERR_CWD_OUTSIDE_ROOTS' },
    { name: 'cwd via ..', body: run({ cwd: '../..' }), status: 403, code: 'ERR_CWD_OUTSIDE_ROOTS' },
    { name: 'cwd via a symlink', body: run({ cwd: 'escape' }), status: 403, code: 'ERR_CWD_OUTSIDE_ROOTS' },
    { name: 'cwd missing', body: run({ cwd: 'missing' }), status: 400, code: 'ERR_CWD_NOT_FOUND' },
    { name: 'cwd not a string', body: run({ cwd: 7 }), status: 400, code: 'ERR_BAD_REQUEST' },
    { name: 'too large', body: run({ prompt: 'x'.repeat(5000) }), status: 413, code: 'ERR_BODY_TOO_LARGE' },
    {
      name: 'text/plain',
      body: run({}),
      headers: { 'content-type': 'text/plain' },
      status: 415,
      code: 'ERR_UNSUPPORTED_MEDIA_TYPE',
    },
    { name: 'unknown run', method: 'GET', path: '/v1/runs/nope', status: 404, code: 'ERR_RUN_NOT_FOUND' },
    {
      name: 'cancel unknown run',
      method: 'DELETE',
      path: '/v1/runs/nope',
      status: 404,
      code: 'ERR_RUN_NOT_FOUND',
    },
    {
      name: 'bad Last-Event-ID',
      method: 'GET',
      path: '/v1/runs/nope/events',
      headers: { 'last-event-id': 'abc' },
      status: 400,
      code: 'ERR_INVALID_LAST_EVENT_ID',
    },
    { name: 'unknown route', method: 'GET', path: '/v1/nothing', status: 404, code: 'ERR_NOT_FOUND' },
    { name: 'wrong method', method: 'PUT', path: '/v1/runs', body: '{}', status: 404, code: 'ERR_NOT_FOUND' },
  ];
  const spawnedBefore = server.registry.counts().spawned;
  for (const c of cases) {
    const response = await fetch(`${server.url}${c.path ?? '/v1/runs'}`, {
      method: c.method ?? 'POST',
      body: c.body,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...c.headers },
    });
    const text = await response.text();
    assert.equal(response.status, c.status, `${c.name}: ${text}`);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, c.name);
    const body = JSON.parse(text) as Record<string, unknown>;
    assert.equal(body.code, c.code, c.name);
    assert.equal(body.status, c.status, c.name);
    assert.equal(typeof body.detail, 'string', c.name);
  }
  assert.equal(server.registry.counts().spawned, spawnedBefore, 'nothing was started');
});

test('refuses to listen beyond loopback without bearer tokens', async (t) => {
  await assert.rejects(startTestServer(t, { server: { host: '0.0.0.0' } }), { code: 'ERR_CONFIG' });
});
