import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tether from '../src/index.ts';

test('the public API is exactly the curated list', () => {
  assert.deepEqual(Object.keys(tether).sort(), [
    'AGENT_TYPES',
    'DEFAULT_HEALTH_CONFIG',
    'DEFAULT_LIMITS',
    'DEFAULT_SERVER',
    'DEMO_AGENT',
    'ERROR_CODES',
    'HealthMonitor',
    'Keeper',
    'MemoryMonitor',
    'Metrics',
    'OWNER_ENV',
    'ProcessRegistry',
    'RunManager',
    'SupervisedChild',
    'TetherError',
    'ZombieReaper',
    'agentBackendFor',
    'commandBackend',
    'createLogger',
    'defaultRegistry',
    'detectCgroupMemory',
    'findOwnedProcesses',
    'isGone',
    'isRunning',
    'isTetherError',
    'loadConfig',
    'readCgroupMemory',
    'readIdentity',
    'serverLogger',
    'signalProcess',
    'spawnProcess',
    'startServer',
  ]);
});
