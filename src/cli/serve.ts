import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { KEEPER_PID_ENV, watchKeeper } from '../process/keeper-watch.ts';
import { ZombieReaper } from '../process/reaper.ts';
import { defaultRegistry } from '../process/registry.ts';
import { startServer } from '../server/server.ts';
import { runKeeper } from './keeper.ts';

const HELP = `usage: tether serve [--config FILE] [--host HOST] [--port PORT] [--no-keeper]

Starts the HTTP server (default 127.0.0.1:8787; --port 0 picks a free port) and prints
"listening on http://HOST:PORT" when ready. SIGTERM or SIGINT drains runs, then exits.

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
  const { config, warnings, source } = await loadConfig({ file: values.config, env });
  for (const warning of warnings) process.stderr.write(`tether: warning: ${warning}\n`);
  const server = await startServer(config);
  // Standalone as PID 1 (a container without the keeper): reap orphans ourselves.
  const reaper =
    process.pid === 1 ? new ZombieReaper({ isOwnChild: (pid) => defaultRegistry.has(pid) }) : undefined;
  await reaper?.start({ subreaper: false });
  const keeperGone = new Promise<string>((resolve) => {
    if (!watchKeeper(resolve)) return;
    // Our stdout and stderr are the keeper's pipes: once it is gone a write fails with EPIPE, and that
    // must not crash the one process left to clean up.
    process.stdout.on('error', () => {});
    process.stderr.on('error', () => {});
  });
  process.stdout.write(`listening on ${server.url}\n`);
  process.stderr.write(
    `tether: config ${source}; backends: ${Object.keys(config.backends).join(', ') || 'none'}\n`,
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
    process.stderr.write(`tether: ${signal}: ending every run and exiting\n`);
    await server.manager.shutdown(0);
    await server.close();
    return 1;
  }
  process.stderr.write(
    `tether: ${signal}: draining runs (up to ${config.limits.shutdownGraceS} s), then stopping\n`,
  );
  // A second signal while draining: end every run now instead of waiting out the grace.
  const now = (): void => {
    process.stderr.write('tether: second signal: ending every run now\n');
    void server.manager.shutdown(0);
  };
  process.once('SIGTERM', now);
  process.once('SIGINT', now);
  await server.close();
  process.off('SIGTERM', now);
  process.off('SIGINT', now);
  return 0;
}
