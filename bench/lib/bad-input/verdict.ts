import { readFileSync } from 'node:fs';
import type { BadCase } from './cases.ts';
import type { RawAnswer } from './raw-http.ts';

/** Every code docs/errors.md documents. */
export function documentedCodes(): Set<string> {
  const text = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  return new Set([...text.matchAll(/^\| `(ERR_[A-Z_]+)` \|/gm)].map((m) => m[1] as string));
}

/** Why an answer is wrong for its case, or undefined when it is right. */
export function judge(c: BadCase, answer: RawAnswer, documented: Set<string>): string | undefined {
  if (answer.status >= 500) return `a ${answer.status}`;
  if (answer.status === 0) return c.statuses.includes(0) ? undefined : 'closed without an answer';
  if (!c.statuses.includes(answer.status)) return `status ${answer.status}, expected ${c.statuses.join('/')}`;
  const type = answer.headers['content-type'] ?? '';
  let body: { code?: string; title?: string; detail?: string; error?: { code?: string; message?: string } };
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `not JSON: ${answer.body.slice(0, 80)}`;
  }
  const code = c.openai ? body.error?.code : body.code;
  if (c.openai) {
    if (!type.startsWith('application/json')) return `content-type ${type}`;
    if (!body.error?.message) return 'an OpenAI error without a message';
  } else {
    if (!type.startsWith('application/problem+json')) return `content-type ${type}`;
    if (!body.title || !body.detail) return 'a problem without title or detail';
  }
  if (!code || !documented.has(code)) return `undocumented code ${code}`;
  if (!c.codes.includes(code)) return `code ${code}, expected ${c.codes.join('/')}`;
  return undefined;
}
