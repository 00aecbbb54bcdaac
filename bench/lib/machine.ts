import { cpus, release, totalmem } from 'node:os';

/** One line naming the machine a benchmark ran on. */
export function machineLine(): string {
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  return `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown'}), ${gib} GiB, Linux ${release()}, Node ${process.version}`;
}
