import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { KEEPER_PID_ENV, watchKeeper } from '../process/keeper-watch.ts';
import { ZombieReaper } from '../process/reaper.ts';
import { defaultRegistry } from '../process/registry.ts';
import { serverLogger, startServer } from '../server/server.ts';
import { runKeeper } from './keeper.ts';

const HELP = `usage: tether serve [--config FILE] [--host HOST] [--port PORT] [--health-port PORT] [--no-keeper]

Starts the HTTP server (default 127.0.0.1:8787; --port 0 picks a free port) and prints
"listening on http://HOST:PORT" when ready. SIGTERM or SIGINT drains runs, then exits.
--health-port also serves /healthz and /readyz from a worker thread that answers (503, with the
stall) even while the main event loop is wedged. Logs are JSON lines on stderr (TETHER_LOG_LEVEL).

By default the server runs under a keeper process that reaps orphans, forwards signals, and ends
whatever a dead server left behind before restarting it (TETHER_RESTART=restart|exit,
TETHER_REAPER=auto|on|off, TETHER_STATE_DIR). --no-keeper runs the server alone.
`;

/** `tether serve`: resolves with the process exit code once the server has shut down. */
export async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'health-port': { type: 'string' },
      help: { type: 'boolean' },
      'no-keeper': { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values['no-keeper'] && !process.env[KEEPER_PID_ENV]) return runKeeper(args);
  const env = { ...process.env };
  if (values.host !== undefined) env.TETHER_HOST = values.host;
  if (values.port !== undefined) env.TETHER_PORT = values.port;
  if (values['health-port'] !== undefined) env.TETHER_HEALTH_PORT = values['health-port'];
  const { config, warnings, source } = await loadConfig({ file: values.config, env });
  const log = serverLogger(config);
  for (const warning of warnings) log.warn(`config warning: ${warning}`);
  let keeperReaped = 0;
  // Standalone as PID 1 (a container without the keeper): reap orphans ourselves.
  const reaper =
    process.pid === 1 ? new ZombieReaper({ isOwnChild: (pid) => defaultRegistry.has(pid) }) : undefined;
  const server = await startServer(config, {
    logger: log,
    zombiesReaped: () => keeperReaped + (reaper?.stats.reaped ?? 0),
    testHooks: process.env.TETHER_TEST_HOOKS === '1',
  });
  await reaper?.start({ subreaper: false });
  const keeperGone = new Promise<string>((resolve) => {
    const watching = watchKeeper(resolve, {
      onReport: (report) => {
        keeperReaped = report.zombies_reaped;
      },
    });
    if (!watching) return;
    // Our stdout and stderr are the keeper's pipes: once it is gone a write fails with EPIPE, and that
    // must not crash the one process left to clean up.
    process.stdout.on('error', () => {});
    process.stderr.on('error', () => {});
  });
  process.stdout.write(`listening on ${server.url}\n`);
  if (server.healthPort !== undefined)
    process.stdout.write(`health on http://${config.server.host}:${server.healthPort}\n`);
  log.info(
    {
      config: source,
      backends: Object.keys(config.backends),
      url: server.url,
      healthPort: server.healthPort,
    },
    'listening',
  );
  const signal = await Promise.race([
    keeperGone,
    new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    }),
  ]);
  if (signal !== 'SIGTERM' && signal !== 'SIGINT') {
    // Nobody is left to clean up after us: end every run now, then go.
    log.warn(`${signal}: ending every run and exiting`);
    await server.manager.shutdown(0);
    await server.close();
    return 1;
  }
  log.info(`${signal}: draining runs (up to ${config.limits.shutdownGraceS} s), then stopping`);
  // A second signal while draining: end every run now instead of waiting out the grace.
  const now = (): void => {
    log.warn('second signal: ending every run now');
    void server.manager.shutdown(0);
  };
  process.once('SIGTERM', now);
  process.once('SIGINT', now);
  await server.close();
  process.off('SIGTERM', now);
  process.off('SIGINT', now);
  return 0;
}
