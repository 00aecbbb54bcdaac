// The curated public API of Tether. Named exports only; test/index.test.ts guards this list.

export { AGENT_TYPES, type AgentBackendConfig, type AgentType } from './backends/agent-config.ts';
export { agentBackendFor } from './backends/agents.ts';
export { type CommandBackendConfig, commandBackend } from './backends/command.ts';
export type { Backend, LaunchPlan, OutputParser, ProgramExit, RunRequest } from './backends/types.ts';
export { DEMO_AGENT, type LoadedConfig, loadConfig } from './config/load.ts';
export {
  DEFAULT_HEALTH_CONFIG,
  DEFAULT_LIMITS,
  DEFAULT_SERVER,
  type HealthConfig,
  type LogConfig,
  type TetherConfig,
} from './config/schema.ts';
export { ERROR_CODES, type ErrorCode, isTetherError, TetherError } from './errors.ts';
export {
  type CgroupMemory,
  detectCgroupMemory,
  type MemoryReading,
  readCgroupMemory,
} from './health/memory/cgroup.ts';
export { MemoryMonitor, type MemoryMonitorOptions, type MemoryStatus } from './health/memory/monitor.ts';
export { Metrics } from './health/metrics.ts';
export { HealthMonitor, type HealthSettings, type WorkView } from './health/monitor.ts';
export type { OwnerTree, ProcessesBody, ProcessRow } from './health/processes.ts';
export type { HealthBody, ReadyBody } from './health/snapshot.ts';
export { createLogger, type Logger, type LoggerOptions } from './log/logger.ts';
export {
  type ChildSnapshot,
  type ChildState,
  defaultRegistry,
  type ExitReason,
  type ExitStatus,
  findOwnedProcesses,
  isGone,
  isRunning,
  OWNER_ENV,
  type ProcessIdentity,
  ProcessRegistry,
  type RegistryCounts,
  readIdentity,
  type SpawnOptions,
  SupervisedChild,
  signalProcess,
  spawnProcess,
  type TeardownReport,
  type TrackedProcess,
  ZombieReaper,
} from './process/index.ts';
export { Keeper, type KeeperOptions, type ReaperMode, type RestartPolicy } from './process/keeper.ts';
export type { RunEvent, RunEventType, SequencedEvent } from './runs/events.ts';
export { RunManager } from './runs/manager.ts';
export type { RunView } from './runs/run.ts';
export { type StartServerOptions, serverLogger, startServer, type TetherServer } from './server/server.ts';
