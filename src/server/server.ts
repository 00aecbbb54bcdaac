import type { AddressInfo } from 'node:net';
import { backendsFromConfig } from '../backends/from-config.ts';
import { DEFAULT_HEALTH_CONFIG, type TetherConfig } from '../config/schema.ts';
import { TetherError } from '../errors.ts';
import { HealthPort } from '../health/health-port.ts';
import { Metrics } from '../health/metrics.ts';
import { HealthMonitor, type HealthSettings } from '../health/monitor.ts';
import { createLogger, type Logger, silentLogger } from '../log/logger.ts';
import { secretValues } from '../log/redact.ts';
import { defaultRegistry, type ProcessRegistry } from '../process/index.ts';
import { RunManager } from '../runs/manager.ts';
import { buildApp } from './app.ts';
import { BearerAuth, isLoopback } from './auth.ts';

/** How long close() lets open responses finish before it closes every connection. */
const CLOSE_CONNECTIONS_AFTER_MS = 1000;

/** A listening Tether server. close() drains and ends every run; it is idempotent. */
export interface TetherServer {
  readonly url: string;
  readonly port: number;
  /** The health thread's port, when one was configured. */
  readonly healthPort: number | undefined;
  readonly manager: RunManager;
  readonly registry: ProcessRegistry;
  readonly health: HealthMonitor;
  readonly metrics: Metrics;
  readonly logger: Logger;
  close(): Promise<void>;
}

export interface StartServerOptions {
  readonly lingerMs?: number;
  readonly registry?: ProcessRegistry;
  /** Default: none (a library stays quiet); `tether serve` passes serverLogger(config). */
  readonly logger?: Logger;
  /** Zombies reaped on this server's behalf so far (its own reaper, the keeper's reports). */
  readonly zombiesReaped?: () => number;
  /** Registers POST /debug/wedge (tests only). */
  readonly testHooks?: boolean;
  /** Overrides cgroup detection for the memory monitor (tests). */
  readonly cgroup?: ConstructorParameters<typeof HealthMonitor>[0]['cgroup'];
}

/**
 * Starts the HTTP server on the configured host and port (0: any free port), plus the health
 * thread's port when configured. Refuses to listen on a non-loopback address without bearer tokens.
 */
export async function startServer(
  config: TetherConfig,
  options: StartServerOptions = {},
): Promise<TetherServer> {
  const { server, limits } = config;
  if (!isLoopback(server.host) && server.tokens.length === 0) {
    throw new TetherError(
      'ERR_CONFIG',
      `refusing to listen on ${server.host} without bearer tokens (server.tokens or TETHER_TOKENS)`,
    );
  }
  const backends = backendsFromConfig(config);
  const logger = options.logger ?? silentLogger();
  // The process-wide registry by default, so a subreaper in this process knows these children are libuv's.
  const registry = options.registry ?? defaultRegistry;
  const manager = new RunManager({
    backends,
    registry,
    admission: limits,
    workspaceRoots: config.workspaces.roots,
    eventBuffer: limits.eventBuffer,
    endedEventBytes: limits.endedEventBytes,
    killGraceMs: limits.killGraceMs,
    lingerMs: options.lingerMs,
    logger,
  });
  const work = () => ({
    busy: manager.live > 0 || manager.admission.queued > 0,
    queued: manager.admission.queued,
    draining: manager.draining,
    atCapacity: manager.admission.atCapacity,
  });
  const healthConfig = config.health ?? DEFAULT_HEALTH_CONFIG;
  const health = new HealthMonitor({
    registry,
    work,
    settings: healthSettings(healthConfig),
    log: { warn: (message) => logger.warn(message), info: (message) => logger.info(message) },
    ...('cgroup' in options ? { cgroup: options.cgroup } : {}),
  });
  const metrics = new Metrics({
    registry,
    monitor: health,
    work,
    zombiesReaped: options.zombiesReaped ?? (() => 0),
  });
  const stopMetrics = manager.onRunEnded((run, view) =>
    metrics.runEnded(run.backend.name, view.exit?.reason ?? 'unknown', view.durationMs ?? 0),
  );
  health.start();
  const app = buildApp({
    config,
    manager,
    backends,
    auth: new BearerAuth(server.tokens),
    registry,
    health,
    metrics,
    testHooks: options.testHooks,
  });
  let healthPort: HealthPort | undefined;
  try {
    await app.listen({ host: server.host, port: server.port });
    if (healthConfig.port !== null)
      healthPort = await HealthPort.start({ monitor: health, host: server.host, port: healthConfig.port });
  } catch (error) {
    await app.close();
    health.close();
    metrics.close();
    stopMetrics();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    healthPort: healthPort?.port,
    manager,
    registry,
    health,
    metrics,
    logger,
    close() {
      closing ??= (async () => {
        await manager.shutdown(limits.shutdownGraceS * 1000);
        // Idle keep-alive connections close at once; responses still writing (a final `exit` event) get a
        // moment to finish; then every connection goes, so a half-sent request cannot hold shutdown for the
        // 60 s header timeout.
        const force = setTimeout(() => app.server.closeAllConnections(), CLOSE_CONNECTIONS_AFTER_MS);
        await app.close();
        clearTimeout(force);
        await healthPort?.close();
        health.close();
        stopMetrics();
        metrics.close();
      })();
      return closing;
    },
  };
}

function healthSettings(config: NonNullable<TetherConfig['health']>): HealthSettings {
  return {
    stallThresholdMs: config.stallThresholdS * 1000,
    leakGraceMs: config.leakGraceS * 1000,
    heartbeatIntervalMs: 100,
    // Often enough that a leak is seen well within its grace; never more than every 250 ms.
    leakCheckIntervalMs: Math.min(2000, Math.max(250, (config.leakGraceS * 1000) / 4)),
    memory: {
      highWater: config.memoryHighWater,
      lowWater: config.memoryLowWater,
      intervalMs: config.memoryIntervalS * 1000,
    },
  };
}

/** JSON lines on stderr at the configured level, with tokens and passed-through secrets redacted. */
export function serverLogger(config: TetherConfig, destination?: { write(line: string): unknown }): Logger {
  return createLogger({
    level: config.log?.level ?? 'info',
    secrets: secretValues(config.server.tokens, passedEnvNames(config)),
    destination,
  });
}

/** Environment variables the backends pass to their children: API keys, so never logged. */
function passedEnvNames(config: TetherConfig): string[] {
  return Object.values(config.backends).flatMap((backend) => backend.env ?? []);
}
