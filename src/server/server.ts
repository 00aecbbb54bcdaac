import type { AddressInfo } from 'node:net';
import { backendsFromConfig } from '../backends/from-config.ts';
import type { TetherConfig } from '../config/schema.ts';
import { TetherError } from '../errors.ts';
import { defaultRegistry, type ProcessRegistry } from '../process/index.ts';
import { RunManager } from '../runs/manager.ts';
import { buildApp } from './app.ts';
import { BearerAuth, isLoopback } from './auth.ts';

/** A listening Tether server. close() drains and ends every run; it is idempotent. */
export interface TetherServer {
  readonly url: string;
  readonly port: number;
  readonly manager: RunManager;
  readonly registry: ProcessRegistry;
  close(): Promise<void>;
}

/**
 * Starts the HTTP server on the configured host and port (0: any free port). Refuses to listen on a
 * non-loopback address without bearer tokens.
 */
export async function startServer(
  config: TetherConfig,
  options: { lingerMs?: number; registry?: ProcessRegistry } = {},
): Promise<TetherServer> {
  const { server, limits } = config;
  if (!isLoopback(server.host) && server.tokens.length === 0) {
    throw new TetherError(
      'ERR_CONFIG',
      `refusing to listen on ${server.host} without bearer tokens (server.tokens or TETHER_TOKENS)`,
    );
  }
  const backends = backendsFromConfig(config);
  // The process-wide registry by default, so a subreaper in this process knows these children are libuv's.
  const registry = options.registry ?? defaultRegistry;
  const manager = new RunManager({
    backends,
    registry,
    admission: limits,
    workspaceRoots: config.workspaces.roots,
    eventBuffer: limits.eventBuffer,
    killGraceMs: limits.killGraceMs,
    lingerMs: options.lingerMs,
  });
  const app = buildApp({ config, manager, backends, auth: new BearerAuth(server.tokens) });
  await app.listen({ host: server.host, port: server.port });
  const { port } = app.server.address() as AddressInfo;
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    manager,
    registry,
    close() {
      closing ??= (async () => {
        await manager.shutdown(limits.shutdownGraceS * 1000);
        await app.close();
      })();
      return closing;
    },
  };
}
