import '../helpers/subreaper.ts';
import { AGENT_TYPES } from '../../src/backends/agent-config.ts';
import { commandBackend } from '../../src/backends/command.ts';
import { DEMO_AGENT } from '../../src/config/load.ts';
import { fakeAgent } from '../helpers/agent-runs.ts';
import { runBackendContract } from './contract.ts';

runBackendContract({
  name: 'command (demo agent)',
  create: () =>
    commandBackend('demo', { type: 'command', argv: [DEMO_AGENT], input: 'stdin', output: 'jsonl', env: [] }),
});

for (const type of AGENT_TYPES) runBackendContract({ name: type, create: () => fakeAgent(type, 'normal') });
