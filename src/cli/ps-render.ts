import type { OwnerTree, ProcessesBody, ProcessRow } from '../health/processes.ts';
import { renderTable } from './table.ts';

/** `tether ps` output: each owner with its tree indented by parent, escapees marked, then leaks. */
export function renderProcesses(body: ProcessesBody): string {
  const out: string[] = [`server ${body.server.pid}  owner ${body.server.owner}\n`];
  if (body.owners.length === 0) out.push('\nno live runs.\n');
  for (const owner of body.owners)
    out.push(`\n${ownerLine(owner)}\n`, renderTable(HEADERS, treeRows(owner.processes)));
  out.push(
    body.unowned.length === 0
      ? '\nleaked: none\n'
      : `\nLEAKED (marked, no owner):\n${renderTable(
          ['PID', 'STATE', 'COMMAND', 'OWNER'],
          body.unowned.map((p) => [String(p.pid), p.state, p.comm, p.owner]),
        )}`,
  );
  return out.join('');
}

const HEADERS = ['PID', 'PPID', 'PGID', 'STATE', 'RSS', 'CPU', 'AGE', 'FOUND BY', 'COMMAND'];

function ownerLine(owner: OwnerTree): string {
  const labels = Object.entries(owner.labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return `${labels || 'owner'}  ${owner.state}  age ${seconds(owner.age_ms / 1000)}  owner ${owner.owner}`;
}

/** Depth-first by parent; a process whose parent is outside the tree (an escapee) starts a new branch. */
function treeRows(processes: readonly ProcessRow[]): string[][] {
  const pids = new Set(processes.map((p) => p.pid));
  const children = new Map<number, ProcessRow[]>();
  const roots: ProcessRow[] = [];
  for (const p of processes) {
    if (pids.has(p.ppid)) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    else roots.push(p);
  }
  const rows: string[][] = [];
  const visit = (p: ProcessRow, depth: number): void => {
    rows.push([
      String(p.pid),
      String(p.ppid),
      String(p.pgid),
      p.state,
      bytes(p.rss_bytes),
      seconds(p.cpu_s),
      seconds(p.age_s),
      p.found_by,
      `${'  '.repeat(depth)}${depth > 0 ? '└ ' : ''}${p.command}`,
    ]);
    for (const child of children.get(p.pid) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  return rows;
}

function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)}M`;
  return `${Math.round(n / 1024)}K`;
}

function seconds(s: number): string {
  return s >= 60 ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s` : `${s.toFixed(s < 10 ? 2 : 1)}s`;
}
