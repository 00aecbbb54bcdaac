import type { AgentBackendOptions } from './agent-backend.ts';
import type { AgentBackendConfig, AgentType } from './agent-config.ts';
import { claudeBackend } from './claude.ts';
import { codexBackend } from './codex.ts';
import { kimiBackend } from './kimi.ts';
import { opencodeBackend } from './opencode.ts';
import { piBackend } from './pi.ts';
import type { Backend } from './types.ts';

const FACTORIES: Record<
  AgentType,
  (name: string, config: AgentBackendConfig, options?: AgentBackendOptions) => Backend
> = {
  claude: claudeBackend,
  codex: codexBackend,
  opencode: opencodeBackend,
  kimi: kimiBackend,
  pi: piBackend,
};

/** The backend for an agent CLI config. */
export function agentBackendFor(
  name: string,
  config: AgentBackendConfig,
  options?: AgentBackendOptions,
): Backend {
  return FACTORIES[config.type](name, config, options);
}
