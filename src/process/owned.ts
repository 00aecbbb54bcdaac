import { isDeadState, type ProcStat } from './proc-stat.ts';
import { type ProcessScanner, sharedScanner } from './process-table.ts';

/**
 * Every running process whose TETHER_OWNER marker is `owner` or nested below it (`owner/…`), from a
 * fresh /proc scan: what a keeper sweeps after a server death and what boot recovery looks for.
 */
export async function findOwnedProcesses(
  owner: string,
  scanner: ProcessScanner = sharedScanner,
): Promise<ProcStat[]> {
  const table = await scanner.scan(0, { exact: true });
  const found: ProcStat[] = [];
  for (const pid of table.ownedBy(owner)) {
    const stat = table.byPid.get(pid);
    if (stat && !isDeadState(stat.state)) found.push(stat);
  }
  return found;
}
