import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Starts `sleep 1000` under the given (freed) pid, through /proc/sys/kernel/ns_last_pid (root only):
 * a real recycled pid, for proving a stale identity is never signalled. Retries when another
 * fork takes the pid first. The caller kills the stranger.
 */
export async function spawnStrangerWithPid(pid: number, attempts = 50): Promise<ChildProcess> {
  await nextClockTick();
  for (let i = 0; i < attempts; i++) {
    writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const stranger = spawn('sleep', ['1000'], { stdio: 'ignore' });
    await once(stranger, 'spawn');
    if (stranger.pid === pid) return stranger;
    stranger.kill('SIGKILL');
    await once(stranger, 'exit');
  }
  throw new Error(`could not recycle pid ${pid} in ${attempts} attempts`);
}

export async function killStranger(stranger: ChildProcess): Promise<void> {
  if (stranger.exitCode !== null || stranger.signalCode !== null) return;
  const exited = once(stranger, 'exit');
  stranger.kill('SIGKILL');
  await exited;
}

/**
 * Start times count clock ticks (USER_HZ, 100 a second): a pid recycled within the same tick would
 * share the start time too. Waits (bounded) until /proc/uptime has moved on two ticks.
 */
async function nextClockTick(): Promise<void> {
  const ticks = (): number => Math.floor(Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) * 100);
  const target = ticks() + 2;
  const deadline = Date.now() + 1000;
  while (ticks() < target && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}
