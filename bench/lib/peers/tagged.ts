import { readdirSync, readFileSync } from 'node:fs';

/**
 * Live (not zombie) processes whose command line carries `tag`: a trial's programs and their leftovers.
 * `except` leaves out the peer server itself (its own command line names the program and so the tag).
 */
export function taggedPids(tag: string, except: readonly number[] = []): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || except.includes(Number(name))) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (!cmdline.includes(tag)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z') pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}

/** Ends whatever a peer left behind, so the benchmark itself leaves nothing. */
export function killTagged(tag: string, except: readonly number[] = []): void {
  for (const pid of taggedPids(tag, except)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

let counter = 0;
/** A tag no other process's command line carries: digits, so it can be part of a `sleep` duration. */
export function newTag(): string {
  counter++;
  return `${process.pid}${String(counter).padStart(4, '0')}`;
}
