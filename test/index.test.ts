import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tether from '../src/index.ts';

test('the public API is exactly the curated list', () => {
  assert.deepEqual(Object.keys(tether).sort(), [
    'ERROR_CODES',
    'OWNER_ENV',
    'ProcessRegistry',
    'SupervisedChild',
    'TetherError',
    'ZombieReaper',
    'defaultRegistry',
    'isGone',
    'isRunning',
    'isTetherError',
    'readIdentity',
    'signalProcess',
    'spawnProcess',
  ]);
});
