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
    readonly shutdownGraceS: number;
    readonly killGraceMs: number;
  };
  /** Working directories a run may use must resolve inside one of these. */
  readonly workspaces: { readonly roots: readonly string[] };
  readonly backends: Readonly<Record<string, BackendConfig>>;
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
  shutdownGraceS: 10,
  killGraceMs: 2000,
};

export const DEFAULT_SERVER: TetherConfig['server'] = {
  host: '127.0.0.1',
  port: 8787,
  tokens: [],
  bodyLimitBytes: 1024 * 1024,
};
