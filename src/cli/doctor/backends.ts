import { accessSync, constants } from 'node:fs';
import { findBinary } from '../../backends/find-binary.ts';
import type { BackendConfig } from '../../config/schema.ts';
import { spawnProcess } from '../../process/index.ts';
import type { Finding } from './finding.ts';

const VERSION_TIMEOUT_MS = 5000;

/**
 * Each configured backend: its program exists and may run. An agent CLI is also asked for
 * `--version` (bounded, supervised: nothing it starts outlives the check). A `command` backend is
 * not run: it is an arbitrary program that may not understand --version.
 */
export async function checkBackends(backends: Readonly<Record<string, BackendConfig>>): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const [name, backend] of Object.entries(backends)) {
    const check = `backend ${name}`;
    if (backend.type === 'command') {
      const program = backend.argv[0] ?? '';
      try {
        accessSync(program, constants.X_OK);
        findings.push({ check, status: 'ok', detail: `command ${program}` });
      } catch {
        findings.push({
          check,
          status: 'warn',
          detail: `command ${program} is missing or not executable: its runs fail`,
        });
      }
      continue;
    }
    const path = await findBinary(backend.binary);
    if (!path) {
      findings.push({
        check,
        status: 'warn',
        detail: `${backend.type}: ${backend.binary} not found on PATH (reported unavailable)`,
      });
      continue;
    }
    const version = await programVersion(path);
    findings.push({
      check,
      status: version.ok ? 'ok' : 'warn',
      detail: `${backend.type}: ${path} ${version.ok ? version.text : `--version failed: ${version.text}`}`,
    });
  }
  return findings;
}

async function programVersion(path: string): Promise<{ ok: boolean; text: string }> {
  const child = await spawnProcess({ argv: [path, '--version'], stdin: 'ignore', graceMs: 500 });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
  });
  const timer = setTimeout(() => void child.close('timeout'), VERSION_TIMEOUT_MS);
  const report = await child.done;
  clearTimeout(timer);
  const first = (out.split('\n').find((line) => line.trim()) ?? '').trim().slice(0, 80);
  if (report.reason === 'timeout')
    return { ok: false, text: `no answer within ${VERSION_TIMEOUT_MS / 1000} s` };
  if (report.code !== 0)
    return { ok: false, text: `exit ${report.code ?? report.signal}${first ? `: ${first}` : ''}` };
  return { ok: true, text: first || '(printed nothing)' };
}
