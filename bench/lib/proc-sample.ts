import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory of a process in bytes (VmRSS), 0 when it is gone. */
export function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Open file descriptors of a process, -1 when it is gone. */
export function fdsOf(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

/** Zombie children of any of `parents`, from /proc. */
export function zombiesOf(parents: readonly number[]): number[] {
  const zombies: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' && parents.includes(Number(fields[1]))) zombies.push(Number(name));
    } catch {
      // gone between the listing and the read
    }
  }
  return zombies;
}

/** The first child of `parent` (the keeper's server), from /proc/<parent>/task/<tid>/children. */
export function firstChildOf(parent: number): number | undefined {
  try {
    for (const task of readdirSync(`/proc/${parent}/task`)) {
      const children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8').trim();
      if (children) return Number(children.split(' ')[0]);
    }
  } catch {
    return undefined;
  }
  return undefined;
}
