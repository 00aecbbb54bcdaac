import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { detectCgroupMemory, readCgroupMemory } from '../../health/memory/cgroup.ts';
import { readEnvVar, readStat } from '../../process/index.ts';
import { loadLibc } from '../../process/libc.ts';
import type { Finding } from './finding.ts';

const MiB = 1024 * 1024;

export function checkNode(version = process.versions.node): Finding {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return {
    check: 'node',
    status: ok ? 'ok' : 'fatal',
    detail: `${version}${ok ? '' : ' (Tether needs >= 20.19)'}`,
  };
}

/** Tether reads /proc/<pid>/stat for identities and /proc/<pid>/environ for its owner marker. */
export function checkProc(): Finding[] {
  const stat = readStat(process.pid);
  const findings: Finding[] = [
    stat
      ? {
          check: '/proc stat',
          status: 'ok',
          detail: `readable (pid ${stat.pid}, start time ${stat.startTime})`,
        }
      : {
          check: '/proc stat',
          status: 'fatal',
          detail: 'cannot read /proc/self/stat: no process identities, no teardown',
        },
  ];
  const environ = readEnvVar(process.pid, 'PATH');
  findings.push(
    environ === undefined
      ? {
          check: '/proc environ',
          status: 'fatal',
          detail: 'cannot read /proc/self/environ: setsid escapees cannot be found by marker',
        }
      : { check: '/proc environ', status: 'ok', detail: 'readable (owner markers work)' },
  );
  return findings;
}

export function checkCgroup(): Finding {
  const cgroup = detectCgroupMemory();
  if (!cgroup)
    return {
      check: 'memory cgroup',
      status: 'warn',
      detail: 'none readable: the memory monitor stays off, readiness ignores memory',
    };
  const reading = readCgroupMemory(cgroup);
  if (!reading)
    return {
      check: 'memory cgroup',
      status: 'warn',
      detail: `v${cgroup.version} at ${cgroup.dir}, but its files cannot be read`,
    };
  const limit =
    reading.limitBytes === null ? 'no limit' : `limit ${(reading.limitBytes / MiB).toFixed(0)} MiB`;
  const oom = reading.oomKills === null ? '' : `, ${reading.oomKills} OOM kill(s)`;
  return {
    check: 'memory cgroup',
    status: 'ok',
    detail: `v${cgroup.version} at ${cgroup.dir}: ${(reading.workingSetBytes / MiB).toFixed(0)} MiB working set, ${limit}${oom}`,
  };
}

/** Becomes a child subreaper for real (harmless in a short-lived command) to prove the call works. */
export async function checkSubreaper(): Promise<Finding> {
  const libc = await loadLibc();
  if (libc instanceof Error)
    return {
      check: 'subreaper',
      status: 'warn',
      detail: `unavailable (${libc.message}): orphans go to PID 1; the marker sweep still ends them`,
    };
  return libc.setChildSubreaper()
    ? {
        check: 'subreaper',
        status: 'ok',
        detail: 'prctl(PR_SET_CHILD_SUBREAPER) works: the keeper reaps orphans',
      }
    : {
        check: 'subreaper',
        status: 'warn',
        detail: 'prctl(PR_SET_CHILD_SUBREAPER) refused: orphans go to PID 1',
      };
}

export function checkPid1(pid = process.pid): Finding {
  if (pid === 1)
    return {
      check: 'pid 1',
      status: 'info',
      detail: 'running as PID 1: `tether serve` reaps every orphan in this namespace',
    };
  const init = readStat(1);
  return {
    check: 'pid 1',
    status: 'info',
    detail: `not PID 1 (PID 1 is ${init ? init.comm : 'unknown'}); the keeper is a child subreaper`,
  };
}

/** Open files and processes: each run holds a few pipes and at least one process. */
export function checkLimits(maxRuns: number): Finding[] {
  const limits = readLimits();
  const findings: Finding[] = [];
  const files = limits.get('Max open files');
  const wantFiles = maxRuns * 8 + 256;
  if (files) {
    const soft = files.soft;
    findings.push({
      check: 'open files limit',
      status: soft !== Infinity && soft < wantFiles ? 'warn' : 'ok',
      detail: `soft ${fmtLimit(soft)}, hard ${fmtLimit(files.hard)}${soft !== Infinity && soft < wantFiles ? ` (want >= ${wantFiles} for ${maxRuns} runs)` : ''}`,
    });
  }
  const processes = limits.get('Max processes');
  if (processes) {
    const low = processes.soft !== Infinity && processes.soft < maxRuns * 16;
    findings.push({
      check: 'processes limit',
      status: low ? 'warn' : 'ok',
      detail: `soft ${fmtLimit(processes.soft)}, hard ${fmtLimit(processes.hard)}; pid_max ${readNumber('/proc/sys/kernel/pid_max') ?? '?'}`,
    });
  }
  return findings;
}

/** The keeper's ledger lives here; without it a crash of both keeper and server is not recovered at boot. */
export function checkStateDir(dir: string): Finding {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return { check: 'state dir', status: 'ok', detail: `${dir} is writable` };
  } catch (error) {
    return {
      check: 'state dir',
      status: 'warn',
      detail: `${dir} is not writable (${(error as Error).message}): no boot recovery`,
    };
  }
}

function readLimits(): Map<string, { soft: number; hard: number }> {
  const limits = new Map<string, { soft: number; hard: number }>();
  let text = '';
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return limits;
  }
  for (const line of text.split('\n').slice(1)) {
    const match = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (!match?.[1]) continue;
    const parse = (value: string | undefined): number => (value === 'unlimited' ? Infinity : Number(value));
    limits.set(match[1].trim(), { soft: parse(match[2]), hard: parse(match[3]) });
  }
  return limits;
}

function readNumber(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

function fmtLimit(n: number): string {
  return n === Infinity ? 'unlimited' : String(n);
}
