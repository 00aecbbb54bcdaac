import { seededRandom } from '../random.ts';
import { httpRequest, type RawRequest } from './raw-http.ts';

/** One malformed request and what a correct server answers. */
export interface BadCase {
  readonly category: string;
  readonly request: RawRequest;
  /** Acceptable HTTP statuses; 0 means "closed without an answer" is acceptable too. */
  readonly statuses: readonly number[];
  /** Acceptable codes (problem+json `code`, or OpenAI `error.code` on the OpenAI routes). */
  readonly codes: readonly string[];
  /** The answer is an OpenAI error object instead of problem+json. */
  readonly openai?: boolean;
}

export interface CaseContext {
  /** The token the server accepts (every case but `wrong-token` sends it). */
  readonly token: string;
  /** A backend that exists. */
  readonly backend: string;
  /** A workspace root, with `escape` inside it: a symlink to a directory outside every root. */
  readonly root: string;
  readonly bodyLimitBytes: number;
  /** A run id that exists (for Last-Event-ID cases). */
  readonly runId: string;
  /** Whether slow-drip cases are included (each holds a connection for the request timeout). */
  readonly slow: boolean;
}

type Maker = (ctx: CaseContext, pick: <T>(list: readonly T[]) => T, random: () => number) => BadCase;

const json = (ctx: CaseContext): Record<string, string> => ({
  authorization: `Bearer ${ctx.token}`,
  'content-type': 'application/json',
});
const auth = (ctx: CaseContext): Record<string, string> => ({ authorization: `Bearer ${ctx.token}` });
const post = (ctx: CaseContext, body: string | Buffer, path = '/v1/runs'): RawRequest => ({
  bytes: httpRequest('POST', path, json(ctx), body),
});

const INVALID_JSON = [
  '{',
  '{"backend":',
  '[1,',
  '{"a":1,}',
  "{'backend':'x'}",
  'NaN',
  '{"backend":"x"} trailing',
  '\u00ef\u00bb\u00bf{}x',
  'nul',
  '{"a":"\\u12"}',
  '"unterminated',
  '{"a" 1}',
];
const WRONG_SHAPES = [
  '[]',
  '"just a string"',
  '42',
  'null',
  '{}',
  '{"backend":7,"prompt":""}',
  '{"backend":["demo"],"prompt":""}',
  '{"backend":"BACKEND","prompt":{"text":"hi"}}',
  '{"backend":"BACKEND","prompt":null}',
  '{"backend":"BACKEND","prompt":"","argv":["/bin/sh"]}',
  '{"backend":"BACKEND","prompt":"","env":{"LD_PRELOAD":"/x.so"}}',
  '{"backend":"BACKEND","prompt":"","binary":"/bin/sh"}',
  '{"backend":"BACKEND","prompt":"a\\u0000b"}',
  '{"backend":"BACKEND","prompt":"","cwd":7}',
  '{"backend":"BACKEND","prompt":"","cwd":""}',
  '{"backend":"","prompt":""}',
];
const BAD_OPTIONS = [
  '{"timeout_s":-1}',
  '{"timeout_s":"soon"}',
  '{"timeout_s":1e309}',
  '{"timeout_s":999999999}',
  '{"idle_timeout_s":0}',
  '{"max_output_bytes":-5}',
  '{"max_output_bytes":1.5}',
  '{"detach_grace_s":1e9}',
  '{"unknown_option":true}',
  '"options as a string"',
  '[1,2,3]',
];

const MAKERS: Record<string, Maker> = {
  'invalid-json': (ctx, pick) => ({
    category: 'invalid-json',
    request: post(ctx, pick(INVALID_JSON)),
    statuses: [400],
    codes: ['ERR_INVALID_JSON'],
  }),
  'wrong-types': (ctx, pick) => ({
    category: 'wrong-types',
    request: post(ctx, pick(WRONG_SHAPES).replace('BACKEND', ctx.backend)),
    statuses: [400],
    codes: ['ERR_BAD_REQUEST'],
  }),
  'bad-options': (ctx, pick) => ({
    category: 'bad-options',
    request: post(
      ctx,
      `{"backend":${JSON.stringify(ctx.backend)},"prompt":"","options":${pick(BAD_OPTIONS)}}`,
    ),
    statuses: [400],
    codes: ['ERR_OPTION_NOT_ALLOWED', 'ERR_BAD_REQUEST'],
  }),
  'huge-body': (ctx, _pick, random) => {
    const size = ctx.bodyLimitBytes + 1 + Math.floor(random() * ctx.bodyLimitBytes);
    const body = `{"backend":${JSON.stringify(ctx.backend)},"prompt":"${'x'.repeat(size)}"}`;
    return {
      category: 'huge-body',
      request: post(ctx, body),
      statuses: [413],
      codes: ['ERR_BODY_TOO_LARGE'],
    };
  },
  'unknown-backend': (ctx, pick) => ({
    category: 'unknown-backend',
    request: post(
      ctx,
      JSON.stringify({
        backend: pick([
          'nope',
          'bash',
          '../demo',
          'DEMO',
          'demo ',
          '__proto__',
          'constructor',
          'x'.repeat(64),
        ]),
        prompt: '',
      }),
    ),
    statuses: [404, 400],
    codes: ['ERR_BACKEND_NOT_FOUND', 'ERR_BAD_REQUEST'],
  }),
  'cwd-escape': (ctx, pick) => {
    const cwd = pick([
      '/',
      '/etc',
      '/root',
      `${ctx.root}/..`,
      `${ctx.root}/../..`,
      `${ctx.root}/escape`,
      `${ctx.root}/escape/..`,
      '../../..',
      '/proc/self/cwd',
    ]);
    return {
      category: 'cwd-escape',
      request: post(ctx, JSON.stringify({ backend: ctx.backend, prompt: '', cwd })),
      statuses: [403, 400],
      codes: ['ERR_CWD_OUTSIDE_ROOTS', 'ERR_CWD_NOT_FOUND'],
    };
  },
  'cwd-missing': (ctx, _pick, random) => ({
    category: 'cwd-missing',
    request: post(
      ctx,
      JSON.stringify({
        backend: ctx.backend,
        prompt: '',
        cwd: `${ctx.root}/missing-${Math.floor(random() * 1e6)}`,
      }),
    ),
    statuses: [400],
    codes: ['ERR_CWD_NOT_FOUND'],
  }),
  'last-event-id': (ctx, pick) => {
    const value = pick(['abc', '-1', '1e3', '1.5', '99999999999999999999', ' ', '0x10', '１']);
    return {
      category: 'last-event-id',
      request: {
        bytes: httpRequest('GET', `/v1/runs/${ctx.runId}/events`, { ...auth(ctx), 'Last-Event-ID': value }),
      },
      statuses: [400],
      // A value with a byte the HTTP parser refuses never reaches the route: ERR_BAD_REQUEST.
      codes: ['ERR_INVALID_LAST_EVENT_ID', 'ERR_BAD_REQUEST'],
    };
  },
  'crlf-header': (ctx, pick) => {
    // Bare CR or LF inside a header value: the HTTP parser itself refuses these.
    const value = pick(['1\r2', '1\rX-Injected: y', '\r', '1\u0000', '1\r\r']);
    const head = `GET /v1/runs/${ctx.runId}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ctx.token}\r\nLast-Event-ID: ${value}\r\nConnection: close\r\n\r\n`;
    return {
      category: 'crlf-header',
      request: { bytes: Buffer.from(head, 'latin1') },
      statuses: [400],
      codes: ['ERR_BAD_REQUEST'],
    };
  },
  'slow-drip': (ctx) => {
    const bytes = httpRequest(
      'POST',
      '/v1/runs',
      json(ctx),
      `{"backend":${JSON.stringify(ctx.backend)},"prompt":"slow"}`,
    );
    const headerEnd = bytes.indexOf('\r\n\r\n') + 4;
    return {
      category: 'slow-drip',
      request: { bytes, dripAfter: headerEnd, dripMs: 200 },
      statuses: [408],
      codes: ['ERR_REQUEST_TIMEOUT'],
    };
  },
  'half-open': (ctx, pick, random) => {
    const bytes = httpRequest(
      'POST',
      '/v1/runs',
      json(ctx),
      `{"backend":${JSON.stringify(ctx.backend)},"prompt":""}`,
    );
    const cut = pick([
      5,
      20,
      bytes.indexOf('\r\n\r\n'),
      bytes.length - 3,
      Math.floor(random() * bytes.length),
    ]);
    return {
      category: 'half-open',
      request: { bytes, halfCloseAfter: Math.max(1, cut) },
      statuses: [0, 400],
      codes: ['ERR_BAD_REQUEST', 'ERR_INVALID_JSON'],
    };
  },
  'wrong-token': (ctx, pick) => {
    const header = pick<Record<string, string>>([
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `Bearer ${ctx.token}x` },
      { authorization: 'Bearer' },
      { authorization: `Basic ${Buffer.from(`user:${ctx.token}`).toString('base64')}` },
      { authorization: `bearer  ${ctx.token.slice(1)}` },
      { authorization: `Bearer ${ctx.token.toUpperCase()}` },
    ]);
    const path = pick(['/v1/runs', '/v1/backends', '/v1/processes', `/v1/runs/${ctx.runId}`]);
    const method = path === '/v1/runs' ? 'POST' : 'GET';
    const body = method === 'POST' ? `{"backend":${JSON.stringify(ctx.backend)},"prompt":""}` : undefined;
    return {
      category: 'wrong-token',
      request: {
        bytes: httpRequest(
          method,
          path,
          { ...header, ...(body ? { 'content-type': 'application/json' } : {}) },
          body,
        ),
      },
      statuses: [401],
      codes: ['ERR_UNAUTHORIZED'],
    };
  },
  'run-id': (ctx, pick) => {
    const id = pick([
      '..%2F..%2Fetc%2Fpasswd',
      '%00',
      'x'.repeat(300),
      '00000000-0000-0000-0000-000000000000',
      '%2e%2e',
      '"><script>',
      '__proto__',
    ]);
    const method = pick(['GET', 'DELETE']);
    return {
      category: 'run-id',
      request: { bytes: httpRequest(method, `/v1/runs/${id}`, auth(ctx)) },
      statuses: [404, 400],
      codes: ['ERR_RUN_NOT_FOUND', 'ERR_NOT_FOUND', 'ERR_BAD_REQUEST'],
    };
  },
  'wrong-route': (ctx, pick) => {
    const [method, path] = pick([
      ['PUT', '/v1/runs'],
      ['PATCH', '/v1/runs'],
      ['POST', '/v1/backends'],
      ['GET', '/../../etc/passwd'],
      ['GET', '/v1/runs/'],
      ['TRACE', '/v1/runs'],
      ['POST', '/v2/runs'],
    ] as const);
    return {
      category: 'wrong-route',
      request: { bytes: httpRequest(method, path, auth(ctx)) },
      statuses: [404, 400, 405],
      codes: ['ERR_NOT_FOUND', 'ERR_RUN_NOT_FOUND', 'ERR_BAD_REQUEST'],
    };
  },
  'content-type': (ctx, pick) => {
    const type = pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json-patch+json',
    ]);
    const body = `{"backend":${JSON.stringify(ctx.backend)},"prompt":""}`;
    return {
      category: 'content-type',
      request: { bytes: httpRequest('POST', '/v1/runs', { ...auth(ctx), 'content-type': type }, body) },
      statuses: [415],
      codes: ['ERR_UNSUPPORTED_MEDIA_TYPE'],
    };
  },
  'header-overflow': (ctx) => ({
    category: 'header-overflow',
    request: { bytes: httpRequest('GET', '/v1/backends', { ...auth(ctx), 'X-Filler': 'a'.repeat(20_000) }) },
    statuses: [431],
    codes: ['ERR_HEADERS_TOO_LARGE'],
  }),
  'bad-request-line': (_ctx, pick) => ({
    category: 'bad-request-line',
    request: {
      bytes: Buffer.from(
        pick([
          'GARBAGE\r\n\r\n',
          'GET / HTTP/9.9\r\n\r\n',
          'GET\r\n\r\n',
          '\u0000\u0001\u0002\r\n\r\n',
          'GET /v1/runs HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n',
        ]),
        'latin1',
      ),
    },
    statuses: [400, 505],
    codes: ['ERR_BAD_REQUEST'],
  }),
  openai: (ctx, pick) => {
    const body = pick([
      '{"model":"nope","messages":[{"role":"user","content":"hi"}]}',
      `{"model":${JSON.stringify(ctx.backend)}}`,
      `{"model":${JSON.stringify(ctx.backend)},"messages":"hi"}`,
      `{"model":${JSON.stringify(ctx.backend)},"messages":[{"role":"user"}]}`,
      `{"model":${JSON.stringify(ctx.backend)},"messages":[]}`,
      '{"messages":[{"role":"user","content":"hi"}]}',
      '{',
      '[]',
    ]);
    return {
      category: 'openai',
      request: post(ctx, body, '/v1/chat/completions'),
      statuses: [400, 404],
      codes: ['ERR_BAD_REQUEST', 'ERR_INVALID_JSON', 'ERR_BACKEND_NOT_FOUND', 'ERR_NOT_FOUND'],
      openai: true,
    };
  },
};

/** Relative weights: the slow and heavy categories are rarer. */
const WEIGHTS: Record<string, number> = {
  'invalid-json': 12,
  'wrong-types': 12,
  'bad-options': 10,
  'huge-body': 1,
  'unknown-backend': 6,
  'cwd-escape': 8,
  'cwd-missing': 3,
  'last-event-id': 6,
  'crlf-header': 6,
  'slow-drip': 0.3,
  'half-open': 4,
  'wrong-token': 8,
  'run-id': 5,
  'wrong-route': 5,
  'content-type': 5,
  'header-overflow': 2,
  'bad-request-line': 3,
  openai: 6,
};

/** `count` cases, deterministic for a seed; every category appears at least once. */
export function badCases(ctx: CaseContext, count: number, seed = 1): BadCase[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const names = Object.keys(MAKERS).filter((name) => ctx.slow || name !== 'slow-drip');
  const total = names.reduce((sum, name) => sum + (WEIGHTS[name] ?? 1), 0);
  const cases = names.map((name) => (MAKERS[name] as Maker)(ctx, pick, random));
  while (cases.length < count) {
    let roll = random() * total;
    const name = names.find((n) => (roll -= WEIGHTS[n] ?? 1) < 0) ?? (names[0] as string);
    cases.push((MAKERS[name] as Maker)(ctx, pick, random));
  }
  return cases.slice(0, Math.max(count, names.length));
}
