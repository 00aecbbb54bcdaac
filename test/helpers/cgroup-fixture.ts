import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A fake cgroup mount plus a /proc/self/cgroup file pointing into it; removed when the test ends. */
export interface CgroupFixture {
  readonly root: string;
  readonly procCgroup: string;
  /** The memory cgroup directory the files live in. */
  readonly dir: string;
  write(file: string, text: string): void;
}

const V1_UNLIMITED = '9223372036854771712';

export function cgroupFixture(
  t: TestContext,
  version: 1 | 2,
  files: Record<string, string> = {},
  path = '/app.slice/tether.service',
): CgroupFixture {
  const root = mkdtempSync(join(tmpdir(), `tether-cgroup-v${version}-`));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = version === 1 ? join(root, 'memory', path) : join(root, path);
  mkdirSync(dir, { recursive: true });
  const procCgroup = join(root, 'proc-self-cgroup');
  writeFileSync(
    procCgroup,
    version === 1 ? `12:pids:/\n4:memory:${path}\n3:cpu,cpuacct:/\n0::/\n` : `0::${path}\n`,
  );
  const defaults =
    version === 1
      ? {
          'memory.usage_in_bytes': '104857600\n',
          'memory.limit_in_bytes': `${V1_UNLIMITED}\n`,
          'memory.stat': `cache 0\ntotal_inactive_file 4194304\nhierarchical_memory_limit ${V1_UNLIMITED}\n`,
          'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
        }
      : {
          'memory.current': '104857600\n',
          'memory.max': 'max\n',
          'memory.stat': 'anon 100000\ninactive_file 4194304\n',
          'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n',
        };
  const write = (file: string, text: string): void => writeFileSync(join(dir, file), text);
  for (const [file, text] of Object.entries({ ...defaults, ...files })) write(file, text);
  return { root, procCgroup, dir, write };
}
