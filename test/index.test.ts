import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tether from '../src/index.ts';

test('the public API is exactly the curated list', () => {
  assert.deepEqual(Object.keys(tether).sort(), [
    'AGENT_TYPES',
    'DEFAULT_LIMITS',
    'DEFAULT_SERVER',
    'DEMO_AGENT',
    'ERROR_CODES',
    'Keeper',
    'OWNER_ENV',
    'ProcessRegistry',
    'RunManager',
    'SupervisedChild',
    'TetherError',
    'ZombieReaper',
    'agentBackendFor',
    'commandBackend',
    'defaultRegistry',
    'findOwnedProcesses',
    'isGone',
    'isRunning',
    'isTetherError',
    'loadConfig',
    'readIdentity',
    'signalProcess',
    'spawnProcess',
    'startServer',
  ]);
});
