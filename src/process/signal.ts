import { isRunning, type ProcessIdentity } from './identity.ts';
import { readStat } from './proc-stat.ts';

/**
 * Sends `signal` to this very process: the identity is re-read just before the kill, so a pid
 * recycled for a stranger is never signalled. Returns whether the signal was delivered.
 */
export function signalProcess(identity: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isRunning(identity)) return false;
  return sendKill(identity.pid, signal);
}

/**
 * Sends `signal` to process group `pgid`, but only while one of `members` (identity-checked) still
 * runs in that group: a group id whose members are all gone may have been recycled.
 */
export function signalGroup(
  pgid: number,
  members: Iterable<ProcessIdentity>,
  signal: NodeJS.Signals,
): boolean {
  for (const member of members) {
    const stat = readStat(member.pid);
    if (stat && stat.startTime === member.startTime && stat.pgid === pgid && stat.state !== 'Z') {
      return sendKill(-pgid, signal);
    }
  }
  return false;
}

function sendKill(target: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch {
    // ESRCH: it died between the check and the kill. EPERM: not ours to signal. Either way, not delivered.
    return false;
  }
}
