/** The agent CLIs Tether knows how to drive headless (see shared/agent-clis.md). */
export const AGENT_TYPES = ['claude', 'codex', 'opencode', 'kimi', 'pi'] as const;

export type AgentType = (typeof AGENT_TYPES)[number];

/** `backends: { NAME: { type: claude | codex | …, binary, args?, model?, env?, permission_mode? } }`. */
export interface AgentBackendConfig {
  readonly type: AgentType;
  /** Absolute path or a name looked up on PATH. */
  readonly binary: string;
  /** Extra arguments the operator adds before the prompt. */
  readonly args: readonly string[];
  /** Used when the request names no model. */
  readonly model?: string;
  /** Names of server environment variables the CLI may see (API keys, config dirs). */
  readonly env: readonly string[];
  /**
   * claude: `--permission-mode VALUE`; codex: `--sandbox VALUE`; opencode: `auto` adds `--auto`.
   * kimi (print mode auto-approves) and pi (no prompts) have none.
   */
  readonly permissionMode?: string;
}

export function isAgentType(value: unknown): value is AgentType {
  return typeof value === 'string' && (AGENT_TYPES as readonly string[]).includes(value);
}
