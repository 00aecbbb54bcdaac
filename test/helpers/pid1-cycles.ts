// Run as PID 1 of a PID namespace: 500 spawn/exit cycles while a 10 ms reaper that is not told which
// children are libuv's runs in the same process; prints "ok <reaped>" or the first wrong exit code.
import { spawnProcess, ZombieReaper } from '../../src/process/index.ts';

const reaper = new ZombieReaper({ intervalMs: 10 });
const failure = await reaper.start({ subreaper: process.pid !== 1 });
if (failure) throw failure;
for (let i = 0; i < 500; i++) {
  const child = await spawnProcess({ argv: ['/bin/sh', '-c', `exit ${i % 97}`] });
  const report = await child.done;
  if (report.code !== i % 97) {
    process.stdout.write(`cycle ${i}: exit code ${report.code}, expected ${i % 97}\n`);
    process.exit(1);
  }
}
reaper.stop();
process.stdout.write(`ok pid ${process.pid}\n`);
