// The curated public API of Tether. Named exports only; test/index.test.ts guards this list.
export { ERROR_CODES, type ErrorCode, isTetherError, TetherError } from './errors.ts';
export {
  type ChildSnapshot,
  type ChildState,
  defaultRegistry,
  type ExitReason,
  type ExitStatus,
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
