import { createLogger, LOG_LEVELS } from '../log/logger.ts';
import { Keeper, type ReaperMode, type RestartPolicy } from '../process/keeper.ts';
import { defaultStateDir } from '../process/ledger.ts';

const REAPER_MODES: readonly ReaperMode[] = ['auto', 'on', 'off'];
const POLICIES: readonly RestartPolicy[] = ['restart', 'exit'];

// The keeper reads no config file (the server does): its level comes from TETHER_LOG_LEVEL alone.
const level = (LOG_LEVELS as readonly string[]).includes(process.env.TETHER_LOG_LEVEL ?? '')
  ? process.env.TETHER_LOG_LEVEL
  : 'info';
const logger = createLogger({ level }).child({ component: 'keeper' });

/** The keeper's lines, as JSON like the server's; `warning: …` lines are logged at warn. */
function log(line: string): void {
  if (line.startsWith('warning: ')) logger.warn(line.slice('warning: '.length));
  else logger.info(line);
}

/** Reads an enumerated environment setting; a malformed value keeps the default with a warning. */
function setting<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  log(`warning: ${name}=${JSON.stringify(value)} is not one of ${allowed.join(', ')}; using ${fallback}`);
  return fallback;
}

/**
 * `tether serve` without `--no-keeper`: this process becomes the keeper and runs the server as its
 * child (`tether serve --no-keeper …`, with the same Node flags, so it works from src/ under tsx
 * and from dist/). Resolves with the keeper's exit code.
 */
export async function runKeeper(serveArgs: readonly string[]): Promise<number> {
  const keeper = new Keeper({
    argv: [
      process.execPath,
      ...process.execArgv,
      process.argv[1] as string,
      'serve',
      '--no-keeper',
      ...serveArgs,
    ],
    restart: setting('TETHER_RESTART', POLICIES, 'restart'),
    reaper: setting('TETHER_REAPER', REAPER_MODES, 'auto'),
    stateDir: defaultStateDir(),
    log,
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const)
    process.on(signal, () => keeper.stop(signal));
  return keeper.run();
}
