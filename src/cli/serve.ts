import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.ts';
import { startServer } from '../server/server.ts';

const HELP = `usage: tether serve [--config FILE] [--host HOST] [--port PORT]

Starts the HTTP server (default 127.0.0.1:8787; --port 0 picks a free port) and prints
"listening on http://HOST:PORT" when ready. SIGTERM or SIGINT drains runs, then exits.
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
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const env = { ...process.env };
  if (values.host !== undefined) env.TETHER_HOST = values.host;
  if (values.port !== undefined) env.TETHER_PORT = values.port;
  const { config, warnings, source } = await loadConfig({ file: values.config, env });
  for (const warning of warnings) process.stderr.write(`tether: warning: ${warning}\n`);
  const server = await startServer(config);
  process.stdout.write(`listening on ${server.url}\n`);
  process.stderr.write(
    `tether: config ${source}; backends: ${Object.keys(config.backends).join(', ') || 'none'}\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
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
