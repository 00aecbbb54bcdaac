import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { detectCgroupMemory } from '../../src/health/memory/cgroup.ts';
import { MemoryMonitor } from '../../src/health/memory/monitor.ts';
import { cgroupFixture } from '../helpers/cgroup-fixture.ts';

const MiB = 1024 * 1024;

function recordingLog(): { lines: string[]; log: { warn(m: string): void; info(m: string): void } } {
  const lines: string[] = [];
  return { lines, log: { warn: (m) => lines.push(`WARN ${m}`), info: (m) => lines.push(`INFO ${m}`) } };
}

/** A monitor over a fixture with a 1000 MiB limit; `use(n)` sets the usage to n MiB. */
function monitorOver(t: TestContext, version: 1 | 2) {
  const fx = cgroupFixture(
    t,
    version,
    version === 1
      ? { 'memory.limit_in_bytes': `${1000 * MiB}\n`, 'memory.stat': 'total_inactive_file 0\n' }
      : { 'memory.max': `${1000 * MiB}\n`, 'memory.stat': 'inactive_file 0\n' },
  );
  const { lines, log } = recordingLog();
  const cgroup = detectCgroupMemory({ procCgroup: fx.procCgroup, root: fx.root });
  const monitor = new MemoryMonitor({ cgroup, highWater: 0.9, lowWater: 0.8, log });
  t.after(() => monitor.close());
  const use = (n: number): void =>
    fx.write(version === 1 ? 'memory.usage_in_bytes' : 'memory.current', `${n * MiB}\n`);
  return { fx, lines, monitor, use };
}

for (const version of [1, 2] as const) {
  test(`v${version}: crossing up logs one WARN, recovering one INFO; no flapping between the marks`, (t) => {
    const { lines, monitor, use } = monitorOver(t, version);
    use(500);
    monitor.check();
    assert.deepEqual(lines, []);
    assert.equal(monitor.aboveHighWater, false);

    // Up across 90 %, and staying above: one WARN.
    for (const mib of [950, 960, 990, 950]) {
      use(mib);
      monitor.check();
    }
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0] ?? '', /^WARN memory above the high-water mark: 950\.0 MiB in use of 1000\.0 MiB/);
    assert.equal(monitor.aboveHighWater, true);

    // Between the marks (80–90 %) nothing changes, however often it wobbles.
    for (const mib of [850, 910, 820, 905, 830]) {
      use(mib);
      monitor.check();
    }
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.equal(monitor.aboveHighWater, true);

    // Below 80 %: one INFO, and back to ready.
    for (const mib of [790, 700, 850, 600]) {
      use(mib);
      monitor.check();
    }
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[1] ?? '', /^INFO memory back below the low-water mark: 790\.0 MiB/);
    assert.equal(monitor.aboveHighWater, false);

    const status = monitor.status();
    assert.equal(status.cgroup, `v${version}`);
    assert.equal(status.limitBytes, 1000 * MiB);
    assert.equal(status.highWaterBytes, 900 * MiB);
    assert.equal(status.lowWaterBytes, 800 * MiB);
  });
}

test('absolute thresholds in bytes work without any limit (v2 "max")', (t) => {
  const fx = cgroupFixture(t, 2, { 'memory.stat': 'inactive_file 0\n' });
  const { lines, log } = recordingLog();
  const cgroup = detectCgroupMemory({ procCgroup: fx.procCgroup, root: fx.root });
  const monitor = new MemoryMonitor({ cgroup, highWater: 200 * MiB, lowWater: 150 * MiB, log });
  fx.write('memory.current', `${250 * MiB}\n`);
  monitor.check();
  fx.write('memory.current', `${100 * MiB}\n`);
  monitor.check();
  assert.deepEqual(
    lines.map((line) => line.slice(0, 4)),
    ['WARN', 'INFO'],
  );
  assert.equal(monitor.status().limitBytes, null);
});

test('the working set, not page cache, is what counts', (t) => {
  const fx = cgroupFixture(t, 2, { 'memory.max': `${1000 * MiB}\n`, 'memory.current': `${950 * MiB}\n` });
  fx.write('memory.stat', `inactive_file ${400 * MiB}\n`);
  const { lines, log } = recordingLog();
  const monitor = new MemoryMonitor({
    cgroup: detectCgroupMemory({ procCgroup: fx.procCgroup, root: fx.root }),
    log,
  });
  monitor.check();
  assert.equal(monitor.aboveHighWater, false);
  assert.equal(monitor.status().workingSetBytes, 550 * MiB);
  assert.deepEqual(lines, []);
});

test('nothing readable: one INFO line, disabled, never above the mark', (t) => {
  const { lines, log } = recordingLog();
  const none = new MemoryMonitor({ cgroup: undefined, log });
  none.start();
  none.check();
  none.close();
  // A cgroup that was found but whose files vanish: also one line, then quiet.
  const fx = cgroupFixture(t, 1);
  const vanishing = new MemoryMonitor({
    cgroup: detectCgroupMemory({ procCgroup: fx.procCgroup, root: fx.root }),
    log,
    intervalMs: 50,
  });
  t.after(() => vanishing.close());
  vanishing.check();
  rmSync(join(fx.dir, 'memory.usage_in_bytes'));
  vanishing.check();
  vanishing.check();
  assert.equal(none.status().enabled, false);
  assert.equal(vanishing.status().enabled, false);
  assert.equal(vanishing.aboveHighWater, false);
  assert.equal(lines.length, 2, lines.join('\n'));
  for (const line of lines) assert.match(line, /^INFO memory monitor disabled/);
});
