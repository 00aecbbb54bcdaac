import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where this process's memory cgroup lives and which interface it speaks. */
export interface CgroupMemory {
  readonly version: 1 | 2;
  readonly dir: string;
}

export interface MemoryReading {
  /** All memory charged to the cgroup, page cache included. */
  readonly usedBytes: number;
  /** Used minus inactive file cache: what the kernel cannot simply drop (the kubelet's working set). */
  readonly workingSetBytes: number;
  /** The limit, or null when the cgroup has none. */
  readonly limitBytes: number | null;
  /** OOM kills inside the cgroup, when the kernel reports them. */
  readonly oomKills: number | null;
}

export interface CgroupPaths {
  /** The file listing this process's cgroups (default /proc/self/cgroup). */
  readonly procCgroup?: string;
  /** Where cgroup filesystems are mounted (default /sys/fs/cgroup). */
  readonly root?: string;
}

/**
 * v1 reports "no limit" as the largest page-aligned counter (9223372036854771712 on 4 KiB pages);
 * anything this large is no limit.
 */
const V1_UNLIMITED = 2 ** 62;

/**
 * Finds the memory cgroup from /proc/self/cgroup: a v1 `memory` controller line, else the v2
 * unified line (`0::/path`). Inside a container the listed path may be the host's while the mount
 * shows the container's own cgroup at the root, so the root is tried second. Undefined when no
 * readable memory files are found.
 */
export function detectCgroupMemory(paths: CgroupPaths = {}): CgroupMemory | undefined {
  const root = paths.root ?? '/sys/fs/cgroup';
  let text: string;
  try {
    text = readFileSync(paths.procCgroup ?? '/proc/self/cgroup', 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n').map((line) => line.split(':'));
  const v1 = lines.find(([, controllers]) => controllers?.split(',').includes('memory'));
  if (v1) {
    const path = v1.slice(2).join(':');
    for (const dir of [join(root, 'memory', path), join(root, 'memory')])
      if (existsSync(join(dir, 'memory.usage_in_bytes'))) return { version: 1, dir };
  }
  const v2 = lines.find(([id, controllers]) => id === '0' && controllers === '');
  if (v2) {
    const path = v2.slice(2).join(':');
    for (const dir of [join(root, path), root])
      if (existsSync(join(dir, 'memory.current'))) return { version: 2, dir };
  }
  return undefined;
}

/** Reads usage, limit and OOM kills; undefined when the files cannot be read (any more). */
export function readCgroupMemory(cgroup: CgroupMemory): MemoryReading | undefined {
  return cgroup.version === 2 ? readV2(cgroup.dir) : readV1(cgroup.dir);
}

function readV2(dir: string): MemoryReading | undefined {
  const used = readNumber(join(dir, 'memory.current'));
  if (used === undefined) return undefined;
  const max = readText(join(dir, 'memory.max'))?.trim();
  const stat = readKeyed(join(dir, 'memory.stat'));
  return {
    usedBytes: used,
    workingSetBytes: Math.max(0, used - (stat.get('inactive_file') ?? 0)),
    limitBytes: max === undefined || max === 'max' ? null : (toNumber(max) ?? null),
    oomKills: readKeyed(join(dir, 'memory.events')).get('oom_kill') ?? null,
  };
}

function readV1(dir: string): MemoryReading | undefined {
  const used = readNumber(join(dir, 'memory.usage_in_bytes'));
  if (used === undefined) return undefined;
  const stat = readKeyed(join(dir, 'memory.stat'));
  // A child cgroup without its own limit is still bound by its parents' (hierarchical_memory_limit).
  const limits = [readNumber(join(dir, 'memory.limit_in_bytes')), stat.get('hierarchical_memory_limit')];
  const limit = limits.find((value) => value !== undefined && value < V1_UNLIMITED);
  return {
    usedBytes: used,
    workingSetBytes: Math.max(0, used - (stat.get('total_inactive_file') ?? stat.get('inactive_file') ?? 0)),
    limitBytes: limit ?? null,
    oomKills: readKeyed(join(dir, 'memory.oom_control')).get('oom_kill') ?? null,
  };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readNumber(file: string): number | undefined {
  const text = readText(file);
  return text === undefined ? undefined : toNumber(text.trim());
}

function toNumber(text: string): number | undefined {
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : undefined;
}

/** A `key value` per line file (memory.stat, memory.events, memory.oom_control). */
function readKeyed(file: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of readText(file)?.split('\n') ?? []) {
    const [key, value] = line.split(' ');
    const n = Number(value);
    if (key && value !== undefined && Number.isFinite(n)) values.set(key, n);
  }
  return values;
}
