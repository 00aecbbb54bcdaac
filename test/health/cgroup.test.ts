import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { detectCgroupMemory, readCgroupMemory } from '../../src/health/memory/cgroup.ts';
import { cgroupFixture } from '../helpers/cgroup-fixture.ts';

const MiB = 1024 * 1024;

test('v1: detects the memory controller line, reads usage, working set and the "unlimited" sentinel as no limit', (t) => {
  const fx = cgroupFixture(t, 1);
  const cgroup = detectCgroupMemory({ procCgroup: fx.procCgroup, root: fx.root });
  assert.deepEqual(cgroup, { version: 1, dir: fx.dir });
  assert.deepEqual(readCgroupMemory(cgroup), {
    usedBytes: 100 * MiB,
    workingSetBytes: 96 * MiB,
    limitBytes: null,
    oomKills: 0,
  });
});

test('v1: a real limit, or a parent limit through hierarchical_memory_limit, and oom_kill counts', (t) => {
  const own = cgroupFixture(t, 1, {
    'memory.limit_in_bytes': `${512 * MiB}\n`,
    'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n',
  });
  const ownCgroup = detectCgroupMemory({ procCgroup: own.procCgroup, root: own.root });
  assert.ok(ownCgroup);
  assert.equal(readCgroupMemory(ownCgroup)?.limitBytes, 512 * MiB);
  assert.equal(readCgroupMemory(ownCgroup)?.oomKills, 3);

  const parent = cgroupFixture(t, 1, {
    'memory.stat': `total_inactive_file 0\nhierarchical_memory_limit ${256 * MiB}\n`,
  });
  const parentCgroup = detectCgroupMemory({ procCgroup: parent.procCgroup, root: parent.root });
  assert.ok(parentCgroup);
  assert.equal(readCgroupMemory(parentCgroup)?.limitBytes, 256 * MiB);
});

test('v2: detects the unified line, reads memory.current, memory.max ("max" = none) and memory.events oom_kill', (t) => {
  const fx = cgroupFixture(t, 2);
  const cgroup = detectCgroupMemory({ procCgroup: fx.procCgroup, root: fx.root });
  assert.deepEqual(cgroup, { version: 2, dir: fx.dir });
  assert.deepEqual(readCgroupMemory(cgroup), {
    usedBytes: 100 * MiB,
    workingSetBytes: 96 * MiB,
    limitBytes: null,
    oomKills: 0,
  });
  fx.write('memory.max', `${1024 * MiB}\n`);
  fx.write('memory.events', 'low 0\nhigh 2\nmax 9\noom 1\noom_kill 1\n');
  assert.equal(readCgroupMemory(cgroup)?.limitBytes, 1024 * MiB);
  assert.equal(readCgroupMemory(cgroup)?.oomKills, 1);
});

test('inside a container the listed path may not exist: the mount root is used instead', (t) => {
  const fx = cgroupFixture(t, 2, {}, '/');
  writeFileSync(fx.procCgroup, '0::/kubepods/burstable/pod1234/abcdef\n');
  assert.deepEqual(detectCgroupMemory({ procCgroup: fx.procCgroup, root: fx.root }), {
    version: 2,
    dir: fx.root,
  });
});

test('nothing readable: no cgroup file, no memory files, or files that vanish later', (t) => {
  const fx = cgroupFixture(t, 2);
  assert.equal(detectCgroupMemory({ procCgroup: join(fx.root, 'missing'), root: fx.root }), undefined);
  const empty = join(fx.root, 'empty');
  mkdirSync(empty);
  assert.equal(detectCgroupMemory({ procCgroup: fx.procCgroup, root: empty }), undefined);
  const cgroup = detectCgroupMemory({ procCgroup: fx.procCgroup, root: fx.root });
  assert.ok(cgroup);
  rmSync(join(fx.dir, 'memory.current'));
  assert.equal(readCgroupMemory(cgroup), undefined);
});

test('this machine: /proc/self/cgroup leads to a readable memory cgroup', () => {
  const cgroup = detectCgroupMemory();
  assert.ok(cgroup, 'no memory cgroup found on this machine');
  const reading = readCgroupMemory(cgroup);
  assert.ok(reading && reading.usedBytes > 0);
});
