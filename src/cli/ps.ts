import { parseArgs } from 'node:util';
import type { ProcessesBody } from '../health/processes.ts';
import { renderProcesses } from './ps-render.ts';

const HELP = `usage: tether ps [--url URL] [--token TOKEN] [--json]

Shows the running server's process tree: every run with its processes (setsid escapees included),
and any leaked process. --url defaults to TETHER_URL or http://127.0.0.1:8787; the token to
TETHER_TOKEN.
`;

/** `tether ps`: resolves with the exit code. */
export async function ps(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const base = (values.url ?? process.env.TETHER_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
  const token = values.token ?? process.env.TETHER_TOKEN;
  let response: Response;
  try {
    response = await fetch(`${base}/v1/processes`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    process.stderr.write(`tether ps: cannot reach ${base} (${why}); is \`tether serve\` running?\n`);
    return 1;
  }
  const text = await response.text();
  if (!response.ok) {
    let detail = text;
    try {
      const problem = JSON.parse(text) as { code?: string; detail?: string };
      detail = `${problem.code}: ${problem.detail}`;
    } catch {}
    process.stderr.write(`tether ps: ${base} answered ${response.status}: ${detail}\n`);
    return 1;
  }
  const body = JSON.parse(text) as ProcessesBody;
  process.stdout.write(values.json ? `${JSON.stringify(body, null, 2)}\n` : renderProcesses(body));
  return 0;
}
