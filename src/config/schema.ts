import type { AgentBackendConfig } from '../backends/agent-config.ts';
import type { CommandBackendConfig } from '../backends/command.ts';

/** Tether's configuration after validation and defaults. File keys are snake_case (see docs/config.md). */
export interface TetherConfig {
  readonly server: {
    readonly host: string;
    readonly port: number;
    /** Bearer tokens; required (at least one) when bound to a non-loopback address. */
    readonly tokens: readonly string[];
    readonly bodyLimitBytes: number;
    /** How long a client may take to send a whole request (headers and body); slower ones get a 408. */
    readonly requestTimeoutS?: number;
  };
  readonly limits: {
    readonly maxRuns: number;
    readonly maxRunsPerClient: number;
    readonly queueSize: number;
    readonly queueWaitMs: number;
    readonly defaultTimeoutS: number;
    readonly maxTimeoutS: number;
    readonly idleTimeoutS: number;
    readonly maxOutputBytes: number;
    readonly maxDetachGraceS: number;
    readonly eventBuffer: number;
    /** Output ended runs keep for replay, all together; past it the oldest ended runs' events go. */
    readonly endedEventBytes: number;
    readonly shutdownGraceS: number;
    readonly killGraceMs: number;
  };
  /** Working directories a run may use must resolve inside one of these. */
  readonly workspaces: { readonly roots: readonly string[] };
  readonly backends: Readonly<Record<string, BackendConfig>>;
  /** Liveness, readiness and the memory monitor (defaults when absent). */
  readonly health?: HealthConfig;
  /** Logging (defaults when absent). */
  readonly log?: LogConfig;
}

export interface HealthConfig {
  /** A second listener for /healthz and /readyz served by a worker thread; null: none. */
  readonly port: number | null;
  /** The main loop's heartbeat older than this makes liveness 503. */
  readonly stallThresholdS: number;
  /** Leaked processes above zero for longer than this make liveness 503. */
  readonly leakGraceS: number;
  /** Above it the server is not ready: a fraction of the cgroup limit (≤ 1) or bytes (> 1). */
  readonly memoryHighWater: number;
  /** Ready again below it (same units as the high-water mark). */
  readonly memoryLowWater: number;
  readonly memoryIntervalS: number;
}

export interface LogConfig {
  readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export type BackendConfig = CommandBackendConfig | AgentBackendConfig;

export const DEFAULT_LIMITS: TetherConfig['limits'] = {
  maxRuns: 32,
  maxRunsPerClient: 8,
  queueSize: 64,
  queueWaitMs: 30_000,
  defaultTimeoutS: 600,
  maxTimeoutS: 3600,
  idleTimeoutS: 300,
  maxOutputBytes: 64 * 1024 * 1024,
  maxDetachGraceS: 600,
  eventBuffer: 4096,
  endedEventBytes: 8 * 1024 * 1024,
  shutdownGraceS: 10,
  killGraceMs: 2000,
};

export const DEFAULT_SERVER: TetherConfig['server'] = {
  host: '127.0.0.1',
  port: 8787,
  tokens: [],
  bodyLimitBytes: 1024 * 1024,
  requestTimeoutS: 30,
};

export const DEFAULT_HEALTH_CONFIG: HealthConfig = {
  port: null,
  stallThresholdS: 30,
  leakGraceS: 30,
  memoryHighWater: 0.9,
  memoryLowWater: 0.8,
  memoryIntervalS: 5,
};

export const DEFAULT_LOG_CONFIG: LogConfig = { level: 'info' };
