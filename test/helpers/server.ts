import type { TestContext } from 'node:test';
import type { CommandBackendConfig } from '../../src/backends/command.ts';
import {
  DEFAULT_HEALTH_CONFIG,
  DEFAULT_LIMITS,
  DEFAULT_SERVER,
  type HealthConfig,
  type TetherConfig,
} from '../../src/config/schema.ts';
import { type StartServerOptions, startServer, type TetherServer } from '../../src/server/server.ts';
import { fixture } from './fixtures.ts';

/**
 * Every process-core fixture as a `text` command backend, plus `echo-arg` (prints its prompt 20 times) and
 * `count-jsonl` (100 `text` events).
 */
export function fixtureBackends(): Record<string, CommandBackendConfig> {
  const names = [
    'streamer',
    'ignore-sigterm',
    'spawn-grandchildren',
    'spawn-setsid-grandchild',
    'close-stdout-and-linger',
    'exit-leaving-zombies',
    'flood-stdout',
    'hang-after-final-line',
    'grandchild-holds-stdout',
    'cooperative-tree',
  ];
  const backends: Record<string, CommandBackendConfig> = {};
  for (const name of names)
    backends[name] = { type: 'command', argv: fixture(name), input: 'none', output: 'text', env: [] };
  backends['echo-arg'] = {
    type: 'command',
    argv: [
      '/bin/sh',
      '-c',
      'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo "$0 $i"; done',
    ],
    input: 'arg',
    output: 'text',
    env: [],
  };
  backends['count-jsonl'] = {
    type: 'command',
    argv: ['/bin/sh', '-c', 'seq 1 100 | sed \'s/.*/{"type":"text","text":"&"}/\''],
    input: 'none',
    output: 'jsonl',
    env: [],
  };
  return backends;
}

export interface TestServerOptions {
  readonly limits?: Partial<TetherConfig['limits']>;
  readonly server?: Partial<TetherConfig['server']>;
  readonly roots?: readonly string[];
  readonly backends?: TetherConfig['backends'];
  readonly health?: Partial<HealthConfig>;
  /** Extra startServer options (a cgroup fixture, a logger, zombiesReaped). */
  readonly start?: StartServerOptions;
}

/** Starts a real server on 127.0.0.1:0 with the fixtures as backends; closes it when the test ends. */
export async function startTestServer(
  t: TestContext,
  options: TestServerOptions = {},
): Promise<TetherServer> {
  const config: TetherConfig = {
    server: { ...DEFAULT_SERVER, port: 0, ...options.server },
    limits: { ...DEFAULT_LIMITS, killGraceMs: 300, shutdownGraceS: 0.2, ...options.limits },
    workspaces: { roots: options.roots ?? [process.cwd()] },
    backends: options.backends ?? fixtureBackends(),
    health: { ...DEFAULT_HEALTH_CONFIG, ...options.health },
  };
  const server = await startServer(config, { lingerMs: 300, ...options.start });
  t.after(() => server.close());
  return server;
}
