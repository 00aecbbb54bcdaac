import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  AGENT_TYPES,
  type AgentBackendConfig,
  type AgentType,
  isAgentType,
} from '../backends/agent-config.ts';
import { TetherError } from '../errors.ts';
import {
  type BackendConfig,
  DEFAULT_HEALTH_CONFIG,
  DEFAULT_LIMITS,
  DEFAULT_LOG_CONFIG,
  DEFAULT_SERVER,
  type HealthConfig,
  type LogConfig,
  type TetherConfig,
} from './schema.ts';
import { ValueReader } from './values.ts';

export interface LoadedConfig {
  readonly config: TetherConfig;
  /** One line per malformed value that fell back to its default. */
  readonly warnings: readonly string[];
  /** The file read, or `embedded default`. */
  readonly source: string;
}

/** The built-in demo backend: works with no agent CLI installed (assets/demo-agent, shipped in the package). */
export const DEMO_AGENT = fileURLToPath(new URL('../../assets/demo-agent', import.meta.url));

const BACKEND_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Reads the config file (YAML or JSON) when given, else the embedded default, then applies
 * `TETHER_*` environment overrides. Malformed values fall back with a warning; an unreadable or
 * unparseable file is an ERR_CONFIG error.
 */
export async function loadConfig(
  options: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  let raw: unknown = {
    backends: {
      demo: { type: 'command', argv: [DEMO_AGENT], input: 'stdin', output: 'jsonl' },
      // The agent CLIs under their own names; /v1/backends reports those not on PATH as unavailable.
      ...Object.fromEntries(AGENT_TYPES.map((type) => [type, { type, binary: type }])),
    },
  };
  let source = 'embedded default';
  const file = options.file ?? env.TETHER_CONFIG;
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new TetherError('ERR_CONFIG', `cannot read config file ${file}: ${(error as Error).message}`);
    }
    try {
      raw = parse(text) ?? {};
    } catch (error) {
      throw new TetherError(
        'ERR_CONFIG',
        `config file ${file} is not valid YAML or JSON: ${(error as Error).message}`,
      );
    }
    source = file;
  }
  const read = new ValueReader();
  const config = validate(isObject(raw) ? raw : {}, read, cwd);
  return { config: applyEnv(config, env, read), warnings: read.warnings, source };
}

function validate(raw: Record<string, unknown>, read: ValueReader, cwd: string): TetherConfig {
  const server = isObject(raw.server) ? raw.server : {};
  const limits = isObject(raw.limits) ? raw.limits : {};
  const workspaces = isObject(raw.workspaces) ? raw.workspaces : {};
  const n = (key: string, fallback: number, min = 0, max?: number): number =>
    read.number(limits[key], fallback, `limits.${key}`, min, max);
  return {
    server: {
      host: read.string(server.host, DEFAULT_SERVER.host, 'server.host'),
      port: read.number(server.port, DEFAULT_SERVER.port, 'server.port', 0, 65535),
      tokens: read.strings(server.tokens, DEFAULT_SERVER.tokens, 'server.tokens'),
      bodyLimitBytes: read.number(
        server.body_limit_bytes,
        DEFAULT_SERVER.bodyLimitBytes,
        'server.body_limit_bytes',
        1024,
      ),
      requestTimeoutS: read.number(
        server.request_timeout_s,
        DEFAULT_SERVER.requestTimeoutS ?? 30,
        'server.request_timeout_s',
        0.1,
      ),
    },
    limits: {
      maxRuns: n('max_runs', DEFAULT_LIMITS.maxRuns, 1),
      maxRunsPerClient: n('max_runs_per_client', DEFAULT_LIMITS.maxRunsPerClient, 1),
      queueSize: n('queue_size', DEFAULT_LIMITS.queueSize),
      queueWaitMs: n('queue_wait_ms', DEFAULT_LIMITS.queueWaitMs),
      defaultTimeoutS: n('default_timeout_s', DEFAULT_LIMITS.defaultTimeoutS, 0.001),
      maxTimeoutS: n('max_timeout_s', DEFAULT_LIMITS.maxTimeoutS, 0.001),
      idleTimeoutS: n('idle_timeout_s', DEFAULT_LIMITS.idleTimeoutS, 0.001),
      maxOutputBytes: n('max_output_bytes', DEFAULT_LIMITS.maxOutputBytes, 1),
      maxDetachGraceS: n('max_detach_grace_s', DEFAULT_LIMITS.maxDetachGraceS),
      eventBuffer: n('event_buffer', DEFAULT_LIMITS.eventBuffer, 16),
      endedEventBytes: n('ended_event_bytes', DEFAULT_LIMITS.endedEventBytes),
      shutdownGraceS: n('shutdown_grace_s', DEFAULT_LIMITS.shutdownGraceS),
      killGraceMs: n('kill_grace_ms', DEFAULT_LIMITS.killGraceMs),
    },
    workspaces: { roots: read.strings(workspaces.roots, [cwd], 'workspaces.roots') },
    backends: validateBackends(raw.backends, read),
    health: validateHealth(isObject(raw.health) ? raw.health : {}, read),
    log: {
      level: logLevel(
        isObject(raw.log) ? raw.log.level : undefined,
        DEFAULT_LOG_CONFIG.level,
        'log.level',
        read,
      ),
    },
  };
}

function validateHealth(health: Record<string, unknown>, read: ValueReader): HealthConfig {
  const d = DEFAULT_HEALTH_CONFIG;
  const n = (key: string, fallback: number, min = 0, max?: number): number =>
    read.number(health[key], fallback, `health.${key}`, min, max);
  const high = n('memory_high_water', d.memoryHighWater, 0.01);
  let low = n('memory_low_water', Math.min(d.memoryLowWater, high), 0.01);
  if (high <= 1 !== low <= 1 || low > high) {
    read.warnings.push(
      `health.memory_low_water: ${low} must be in the same units as memory_high_water and not above it; using ${high <= 1 ? high * 0.9 : Math.round(high * 0.9)}`,
    );
    low = high <= 1 ? high * 0.9 : Math.round(high * 0.9);
  }
  return {
    port: health.port === undefined || health.port === null ? null : n('port', 0, 0, 65535),
    stallThresholdS: n('stall_threshold_s', d.stallThresholdS, 0.05),
    leakGraceS: n('leak_grace_s', d.leakGraceS),
    memoryHighWater: high,
    memoryLowWater: low,
    memoryIntervalS: n('memory_interval_s', d.memoryIntervalS, 0.05),
  };
}

/** TETHER_HEALTH_PORT: a port number (0: any free port); a malformed one keeps the configured value. */
function portFromEnv(value: string, configured: number | null, read: ValueReader): number | null {
  const port = Number(value);
  if (value.trim() !== '' && Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  read.warnings.push(
    `TETHER_HEALTH_PORT: ${JSON.stringify(value)} is not a port; using ${configured ?? 'none'}`,
  );
  return configured;
}

function logLevel(
  value: unknown,
  fallback: LogConfig['level'],
  path: string,
  read: ValueReader,
): LogConfig['level'] {
  return read.oneOf(
    value,
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
    fallback,
    path,
  );
}

function validateBackends(raw: unknown, read: ValueReader): Record<string, BackendConfig> {
  const backends: Record<string, BackendConfig> = {};
  if (!isObject(raw)) return backends;
  for (const [name, value] of Object.entries(raw)) {
    const path = `backends.${name}`;
    if (!BACKEND_NAME.test(name) || !isObject(value)) {
      read.warnings.push(`${path}: skipped (a backend needs a simple name and an object)`);
      continue;
    }
    if (isAgentType(value.type)) {
      const agent = agentBackend(value, value.type, path, read);
      if (agent) backends[name] = agent;
      continue;
    }
    if (value.type !== 'command') {
      read.warnings.push(`${path}: skipped (unknown type ${JSON.stringify(value.type)})`);
      continue;
    }
    const argv = read.strings(value.argv, [], `${path}.argv`);
    if (argv.length === 0 || !argv[0]?.startsWith('/')) {
      read.warnings.push(`${path}: skipped (argv must start with an absolute path)`);
      continue;
    }
    backends[name] = {
      type: 'command',
      argv,
      input: read.oneOf(value.input, ['stdin', 'arg', 'none'] as const, 'stdin', `${path}.input`),
      output: read.oneOf(value.output, ['text', 'jsonl'] as const, 'text', `${path}.output`),
      env: read.strings(value.env, [], `${path}.env`),
    };
  }
  return backends;
}

function agentBackend(
  value: Record<string, unknown>,
  type: AgentType,
  path: string,
  read: ValueReader,
): AgentBackendConfig | undefined {
  const binary = read.string(value.binary, type, `${path}.binary`);
  if (binary.includes('/') && !binary.startsWith('/')) {
    read.warnings.push(`${path}: skipped (binary must be an absolute path or a bare name)`);
    return undefined;
  }
  const model = value.model === undefined ? undefined : read.string(value.model, '', `${path}.model`);
  const permissionMode =
    value.permission_mode === undefined
      ? undefined
      : read.string(value.permission_mode, '', `${path}.permission_mode`);
  return {
    type,
    binary,
    args: read.strings(value.args, [], `${path}.args`),
    env: read.strings(value.env, [], `${path}.env`),
    ...(model ? { model } : {}),
    ...(permissionMode ? { permissionMode } : {}),
  };
}

/** `TETHER_*` overrides; a malformed one keeps the configured value and warns. */
function applyEnv(config: TetherConfig, env: NodeJS.ProcessEnv, read: ValueReader): TetherConfig {
  const list = (value: string | undefined, separator: string): string[] | undefined =>
    value === undefined
      ? undefined
      : value
          .split(separator)
          .map((s) => s.trim())
          .filter(Boolean);
  const { server, limits, workspaces } = config;
  const health = config.health ?? DEFAULT_HEALTH_CONFIG;
  const healthPort = env.TETHER_HEALTH_PORT;
  return {
    ...config,
    health: {
      ...health,
      port: healthPort === undefined ? health.port : portFromEnv(healthPort, health.port, read),
    },
    log: { level: logLevel(env.TETHER_LOG_LEVEL, config.log?.level ?? 'info', 'TETHER_LOG_LEVEL', read) },
    server: {
      ...server,
      host: read.string(env.TETHER_HOST, server.host, 'TETHER_HOST'),
      port: read.number(env.TETHER_PORT, server.port, 'TETHER_PORT', 0, 65535),
      tokens: list(env.TETHER_TOKENS, ',') ?? server.tokens,
    },
    limits: {
      ...limits,
      maxRuns: read.number(env.TETHER_MAX_RUNS, limits.maxRuns, 'TETHER_MAX_RUNS', 1),
      maxRunsPerClient: read.number(
        env.TETHER_MAX_RUNS_PER_CLIENT,
        limits.maxRunsPerClient,
        'TETHER_MAX_RUNS_PER_CLIENT',
        1,
      ),
      queueSize: read.number(env.TETHER_QUEUE_SIZE, limits.queueSize, 'TETHER_QUEUE_SIZE'),
    },
    workspaces: { roots: list(env.TETHER_WORKSPACE_ROOTS, ':') ?? workspaces.roots },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
