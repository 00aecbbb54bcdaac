// Bad input: 10,000 malformed requests (BENCH_BAD_INPUT_COUNT) against `tether serve` with a bearer token —
// invalid JSON, wrong types and options, huge bodies, unknown backends, cwd traversal and symlink escapes,
// CR/LF and junk in Last-Event-ID, slow-drip bodies, half-open sockets, wrong tokens, oversize headers,
// malformed request lines, bad OpenAI bodies. Every answer must be a 4xx problem+json (an OpenAI error on
// the OpenAI routes) with a code docs/errors.md documents; the server must not crash, restart or leak.
// Writes its section of BENCHMARKS.md; exits 1 on any failure. Run: npm run bench:bad-input
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOwnedProcesses, isRunning, readIdentity } from '../src/process/index.ts';
import { badCases } from './lib/bad-input/cases.ts';
import { runBadInput } from './lib/bad-input/run.ts';
import { machineLine } from './lib/machine.ts';
import { fdsOf } from './lib/proc-sample.ts';
import { writeSection } from './lib/report.ts';
import { startServe } from './lib/serve-process.ts';
import { fmt } from './lib/stats.ts';

const COUNT = Number(process.env.BENCH_BAD_INPUT_COUNT ?? 10_000);
const TOKEN = 'bench-bad-input-token';
const root = mkdtempSync(join(tmpdir(), 'tether-bad-input-'));
symlinkSync('/etc', join(root, 'escape'));
const serve = await startServe({
  server: { tokens: [TOKEN], request_timeout_s: 1 },
  workspaces: { roots: [root] },
  backends: { echo: { type: 'command', argv: ['/bin/echo', 'hi'], input: 'none' } },
});
let failed = false;
try {
  const serverPid = serve.serverPid() as number;
  const server = readIdentity(serverPid);
  const created = await fetch(`${serve.url}/v1/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ backend: 'echo', prompt: '', cwd: root }),
  });
  const { runId } = (await created.json()) as { runId: string };
  const fdsBefore = fdsOf(serverPid);
  const port = Number(new URL(serve.url).port);
  const cases = badCases(
    { token: TOKEN, backend: 'echo', root, bodyLimitBytes: 1024 * 1024, runId, slow: true },
    COUNT,
    11,
  );
  const report = await runBadInput(port, cases, 32);
  await new Promise((r) => setTimeout(r, 1000));
  const alive = server !== undefined && isRunning(server) && serve.serverPid() === serverPid;
  const healthy = (await fetch(`${serve.url}/healthz`)).ok;
  const fdsAfter = fdsOf(serverPid);
  const marker = serve.markerOf(serverPid);
  const left = (await findOwnedProcesses(marker)).filter((p) => p.pid !== serverPid).length;
  failed = report.serverErrors > 0 || report.wrongCount > 0 || !alive || !healthy || left > 0;
  const rows = Object.entries(report.byCategory)
    .sort()
    .map(([name, s]) => `| ${name} | ${s.sent} | ${s.wrong} |`)
    .join('\n');
  const statuses = Object.entries(report.byStatus)
    .sort()
    .map(([status, n]) => `${status === '0' ? 'closed without an answer' : status} × ${n}`)
    .join(', ');
  const codes = Object.entries(report.byCode)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `\`${code}\` × ${n}`)
    .join(', ');
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const body = `## Bad input

\`npm run bench:bad-input\` — ${new Date().toISOString().slice(0, 10)}, ${machineLine()}.
${COUNT} malformed requests (seed 11), 32 at a time, each on its own connection, against \`tether serve\` (keeper +
server) with a bearer token, \`server.request_timeout_s: 1\` and a workspace root holding a symlink to \`/etc\`.
Took ${fmt(report.ms / 1000)} s.

| claim | goal | Tether | verdict |
| --- | --- | --- | --- |
| 5xx answers | 0 | ${report.serverErrors} | ${verdict(report.serverErrors === 0)} |
| answers that are not a 4xx problem+json (OpenAI error on the OpenAI routes) with a documented, expected code | 0 | ${report.wrongCount} | ${verdict(report.wrongCount === 0)} |
| server crashes or restarts | 0 | ${alive ? 0 : 'the server died or was restarted'} | ${verdict(alive)} |
| healthy afterwards (\`/healthz\` 200), nothing of its runs left, server fds | 200, 0, back | ${healthy ? 200 : 'not 200'}, ${left}, ${fdsBefore} → ${fdsAfter} | ${verdict(healthy && left === 0 && fdsAfter <= fdsBefore + 5)} |

| category | sent | wrong |
| --- | ---: | ---: |
${rows}

Statuses: ${statuses}. Codes: ${codes}. "Closed without an answer" is accepted only for half-open clients (they
sent part of a request and then FIN): HTTP has no way to answer a request that never finished.
`;
  process.stdout.write(body);
  if (report.wrong.length > 0) process.stderr.write(`${report.wrong.join('\n')}\n`);
  writeSection('bad-input', body);
} finally {
  await serve.stop();
  rmSync(root, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
