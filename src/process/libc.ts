/**
 * The two libc calls Node does not offer — prctl(PR_SET_CHILD_SUBREAPER) and waitpid(pid, WNOHANG) —
 * bound through koffi (prebuilt, no compiler). Why a quirk file: only Linux has a child subreaper.
 */
export interface Libc {
  /** Makes this process a child subreaper: orphans below it re-parent to it, not to PID 1. */
  setChildSubreaper(): boolean;
  /** Reaps `pid` if it is a zombie child of ours; returns its pid when reaped, 0 when still running, -1 on error. */
  waitpidNoHang(pid: number): number;
}

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;

let loaded: Promise<Libc | Error> | undefined;

/** Loads libc once; resolves with an Error (never throws) where koffi or libc is unavailable. */
export function loadLibc(): Promise<Libc | Error> {
  loaded ??= bind().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  return loaded;
}

async function bind(): Promise<Libc> {
  if (process.platform !== 'linux') throw new Error(`no child subreaper on ${process.platform}`);
  const koffi = await import('koffi');
  const lib = koffi.load('libc.so.6');
  const prctl = lib.func('int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)');
  const waitpid = lib.func('int waitpid(int, _Out_ int *, int)');
  return {
    setChildSubreaper: () => prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) === 0,
    waitpidNoHang: (pid: number) => waitpid(pid, [0], WNOHANG) as number,
  };
}
