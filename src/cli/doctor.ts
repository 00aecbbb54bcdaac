import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { DEFAULT_LIMITS } from '../config/schema.ts';
import { isTetherError } from '../errors.ts';
import { defaultStateDir } from '../process/ledger.ts';
import { checkBackends } from './doctor/backends.ts';
import type { Finding } from './doctor/finding.ts';
import {
  checkCgroup,
  checkLimits,
  checkNode,
  checkPid1,
  checkProc,
  checkStateDir,
  checkSubreaper,
} from './doctor/system.ts';
import { renderTable } from './table.ts';

const HELP = `usage: tether doctor [--config FILE] [--json]

Checks what Tether relies on: /proc, the memory cgroup (v1 or v2), the child subreaper call, PID 1,
each backend's program (agent CLIs are asked for --version), open-file and process limits, the state
directory. Prints a table; exits 1 when a finding is fatal.
`;

/** `tether doctor`: resolves with the exit code. */
export async function doctor(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const findings: Finding[] = [
    checkNode(),
    ...checkProc(),
    checkCgroup(),
    await checkSubreaper(),
    checkPid1(),
  ];
  let maxRuns = DEFAULT_LIMITS.maxRuns;
  try {
    const { config, warnings, source } = await loadConfig({ file: values.config });
    maxRuns = config.limits.maxRuns;
    findings.push({ check: 'config', status: warnings.length ? 'warn' : 'ok', detail: source });
    for (const warning of warnings) findings.push({ check: 'config', status: 'warn', detail: warning });
    findings.push(...(await checkBackends(config.backends)));
  } catch (error) {
    findings.push({
      check: 'config',
      status: 'fatal',
      detail: isTetherError(error) ? error.message : String(error),
    });
  }
  findings.push(...checkLimits(maxRuns), checkStateDir(process.env.TETHER_STATE_DIR ?? defaultStateDir()));
  const fatal = findings.filter((finding) => finding.status === 'fatal').length;
  if (values.json) process.stdout.write(`${JSON.stringify({ findings, fatal }, null, 2)}\n`);
  else {
    const rows = findings.map((f) => [f.check, f.status === 'fatal' ? 'FATAL' : f.status, f.detail]);
    process.stdout.write(renderTable(['CHECK', 'STATUS', 'DETAIL'], rows));
    process.stdout.write(
      fatal
        ? `\n${fatal} fatal finding(s): Tether cannot keep its guarantees here.\n`
        : '\nno fatal findings.\n',
    );
  }
  return fatal ? 1 : 0;
}
