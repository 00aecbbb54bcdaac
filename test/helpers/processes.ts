import { readdirSync } from 'node:fs';
import { type ProcessIdentity, readIdentity, readStat, waitUntilGone } from '../../src/process/index.ts';

/** Reads identities now (while the processes still run), failing loudly if one is already gone. */
export function identitiesOf(pids: number[]): ProcessIdentity[] {
  return pids.map((pid) => {
    const identity = readIdentity(pid);
    if (!identity) throw new Error(`process ${pid} is not running`);
    return identity;
  });
}

/** Polls (bounded) until every identity is gone; returns those still running at the deadline. */
export function survivorsAfter(identities: ProcessIdentity[], timeoutMs = 2000): Promise<ProcessIdentity[]> {
  return waitUntilGone(identities, { timeoutMs });
}

/** Zombie children of this test process (an orphan re-parented to us that nobody reaped, or a lost exit). */
export function zombieChildren(): number[] {
  const zombies: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat?.ppid === process.pid && stat.state === 'Z') zombies.push(stat.pid);
  }
  return zombies;
}

/** Polls (bounded) until this process has no zombie children; returns those left at the deadline. */
export async function zombiesAfter(timeoutMs = 2000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let zombies = zombieChildren();
  while (zombies.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    zombies = zombieChildren();
  }
  return zombies;
}

export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Active libuv resources other than timers (which come and go with the test runner itself). */
export function activeHandles(): string[] {
  return process.getActiveResourcesInfo().filter((kind) => kind !== 'Timeout' && kind !== 'Immediate');
}
