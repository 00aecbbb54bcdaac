import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../bench/lib/free-port.ts';
import { fixture } from './fixtures.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface KeeperUnderTest {
  readonly keeper: ChildProcess;
  readonly url: string;
  readonly stateDir: string;
  output(): string;
}

/**
 * Starts `tether serve` (keeper + server) on a fixed port with the cooperative-tree fixture as a
 * backend and a private state directory; kills the keeper at the end of the test if still there.
 */
export async function startKeeper(
  t: TestContext,
  options: { port?: number; stateDir?: string; env?: Record<string, string> } = {},
): Promise<KeeperUnderTest> {
  const port = options.port ?? (await freePort());
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'tether-state-'));
  if (!options.stateDir) t.after(() => rmSync(stateDir, { recursive: true, force: true }));
  const config = join(stateDir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      limits: { kill_grace_ms: 300, shutdown_grace_s: 1 },
      backends: {
        tree: { type: 'command', argv: fixture('cooperative-tree'), input: 'none', output: 'text' },
      },
    }),
  );
  const keeper = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'serve', '--config', config, '--port', String(port)],
    {
      env: { ...process.env, TETHER_STATE_DIR: stateDir, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  t.after(() => keeper.kill('SIGKILL'));
  let text = '';
  keeper.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  keeper.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
  });
  const deadline = Date.now() + 15_000;
  while (!text.includes('listening on') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (!text.includes('listening on')) throw new Error(`keeper did not start: ${text}`);
  return { keeper, url: `http://127.0.0.1:${port}`, stateDir, output: () => text };
}
