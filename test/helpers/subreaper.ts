import { defaultRegistry, ZombieReaper } from '../../src/process/index.ts';

/**
 * Makes this test process a child subreaper that reaps orphans at once: PID 1 on these machines
 * reaps late, and orphans of the trees under test should come back to us, not linger as zombies.
 * Import it for its effect at the top of every test file that starts processes.
 */
export const testReaper = new ZombieReaper({ intervalMs: 20, isOwnChild: (pid) => defaultRegistry.has(pid) });
const failure = await testReaper.start({ subreaper: true });
if (failure) throw new Error(`test subreaper unavailable: ${failure.message}`);
