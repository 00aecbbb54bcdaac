import type { AgentBackendConfig } from './agent-config.ts';
import { childEnvironment } from './environment.ts';
import type { Backend, OutputParser, RunRequest } from './types.ts';

/** What differs between agent CLIs: their argv and their output. */
export interface AgentSpec {
  /** Arguments after the binary. `prompt` is already safe to pass as one argument. */
  args(request: RunRequest & { readonly prompt: string }, config: AgentBackendConfig): string[];
  parser(name: string): OutputParser;
}

export interface AgentBackendOptions {
  /** The server environment the allowlist copies from (tests pass their own). */
  readonly envSource?: NodeJS.ProcessEnv;
}

/**
 * A backend for one agent CLI. The prompt goes in argv and stdin is ignored: codex, opencode and pi read
 * a non-TTY stdin to EOF and would hang on an open pipe.
 */
export function agentBackend(
  name: string,
  config: AgentBackendConfig,
  spec: AgentSpec,
  options: AgentBackendOptions = {},
): Backend {
  return {
    name,
    type: config.type,
    binary: config.binary,
    launch(request) {
      const env = childEnvironment(config.env, options.envSource);
      // A nested claude refuses to start when it sees this (set when Tether itself runs under Claude Code).
      delete env.CLAUDECODE;
      const model = request.model ?? config.model;
      const prompt = argPrompt(request.prompt);
      return {
        argv: [config.binary, ...spec.args({ ...request, prompt, ...(model ? { model } : {}) }, config)],
        stdin: 'ignore',
        env,
      };
    },
    parser: () => spec.parser(name),
  };
}

/** A prompt starting with `-` would be read as a flag by every one of these CLIs: a leading space keeps it a prompt. */
function argPrompt(prompt: string): string {
  return prompt.startsWith('-') ? ` ${prompt}` : prompt;
}
