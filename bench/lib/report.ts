import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const FILE = new URL('../../BENCHMARKS.md', import.meta.url);
const HEADER = `# Benchmarks

Each section is written by the benchmark named in it, with the command that produced it, the date and the
machine. Figures are medians of several runs measured in the same run as their baseline; machines here are
shared and noisy, so read ratios, not absolute numbers.
`;

/** Replaces (or appends) the section between `<!-- name:start -->` and `<!-- name:end -->` in BENCHMARKS.md. */
export function writeSection(name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, next);
}
