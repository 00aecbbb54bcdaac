import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OWNER_ENV, readEnvVar } from '../../src/process/index.ts';
import { freePort } from './free-port.ts';
import { firstChildOf } from './proc-sample.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface ServeProcess {
  readonly url: string;
  readonly keeper: ChildProcess;
  readonly keeperPid: number;
  /** The current server (it changes when the keeper restarts it). */
  serverPid(): number | undefined;
  /** The server's marker, read from its environment. */
  markerOf(serverPid: number): string;
  /** The last few kB the keeper and server wrote to stderr (their logs). */
  logTail(): string;
  /** SIGTERM to the keeper (drain), SIGKILL after `graceMs`; resolves when it exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `tether serve` (keeper + server) from source with `config` on a free port and a private
 * state directory; resolves once it answers.
 */
export async function startServe(
  config: Record<string, unknown>,
  options: { env?: Record<string, string>; args?: string[] } = {},
): Promise<ServeProcess> {
  // A fixed port: a server the keeper restarts comes back on the same one.
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tether-serve-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const keeper = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'serve', '--config', file, '--port', String(port), ...(options.args ?? [])],
    {
      env: { ...process.env, TETHER_STATE_DIR: dir, TETHER_LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = once(keeper, 'exit');
  let stderr = '';
  keeper.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tether serve did not start: ${stdout}${stderr}`)),
      20_000,
    );
    keeper.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    keeper.once('exit', () => reject(new Error(`tether serve exited: ${stderr}`)));
  });
  let stopping: Promise<void> | undefined;
  return {
    url,
    keeper,
    keeperPid: keeper.pid as number,
    serverPid: () => firstChildOf(keeper.pid as number),
    logTail: () => stderr,
    markerOf: (pid) => readEnvVar(pid, OWNER_ENV) ?? '',
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        if (keeper.exitCode === null && keeper.signalCode === null) {
          keeper.kill('SIGTERM');
          const timer = setTimeout(() => keeper.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
