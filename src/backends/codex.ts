import type { RunEvent } from '../runs/events.ts';
import { type AgentBackendOptions, agentBackend } from './agent-backend.ts';
import type { AgentBackendConfig } from './agent-config.ts';
import { asObject, asString, usageEvent } from './json-fields.ts';
import { jsonLinesParser } from './json-lines.ts';
import type { Backend, OutputParser } from './types.ts';

/** `codex exec --json --skip-git-repo-check --cd CWD … PROMPT` (agent-clis.md §2). */
export function codexBackend(
  name: string,
  config: AgentBackendConfig,
  options?: AgentBackendOptions,
): Backend {
  return agentBackend(
    name,
    config,
    {
      args: (request, cfg) => [
        'exec',
        '--json',
        // The workspace was already checked against the configured roots; it need not be a git repo.
        '--skip-git-repo-check',
        '--cd',
        request.cwd,
        ...(request.model ? ['--model', request.model] : []),
        ...(cfg.permissionMode ? ['--sandbox', cfg.permissionMode] : []),
        ...cfg.args,
        request.prompt,
      ],
      parser: codexParser,
    },
    options,
  );
}

/**
 * Final answer = the last `agent_message` item; usage = `turn.completed.usage`. `turn.failed` is a failure
 * whatever the exit code; a top-level `error` before it is often transient ("Reconnecting… n/5") and is kept
 * only as the message should the turn fail without one.
 */
export function codexParser(name = 'codex'): OutputParser {
  let finished = false;
  let answer: string | undefined;
  return jsonLinesParser(name, {
    get finished() {
      return finished;
    },
    json(line) {
      const item = asObject(line.item);
      switch (line.type) {
        case 'item.started':
          return item.type === 'command_execution'
            ? [{ type: 'tool_call', id: asString(item.id), name: 'shell', input: { command: item.command } }]
            : [];
        case 'item.completed':
          return completed(item, (text) => {
            answer = text;
          });
        case 'turn.completed': {
          finished = true;
          const usage = asObject(line.usage);
          return [
            usageEvent(usage.input_tokens, usage.output_tokens, undefined),
            { type: 'result', text: answer ?? '' },
          ];
        }
        case 'turn.failed': {
          finished = true;
          const message = asString(asObject(line.error).message) || 'turn failed';
          return [{ type: 'error', code: 'ERR_AGENT_FAILED', message }];
        }
        default:
          return [];
      }
    },
  });
}

function completed(item: Record<string, unknown>, setAnswer: (text: string) => void): RunEvent[] {
  switch (item.type) {
    case 'agent_message': {
      const text = asString(item.text);
      setAnswer(text);
      return [{ type: 'text', text }];
    }
    case 'command_execution':
      return [
        {
          type: 'tool_result',
          id: asString(item.id),
          output: item.aggregated_output,
          ...(typeof item.exit_code === 'number' && item.exit_code !== 0 ? { isError: true } : {}),
        },
      ];
    case 'mcp_tool_call':
      return [
        {
          type: 'tool_call',
          id: asString(item.id),
          name: `${asString(item.server)}.${asString(item.tool)}`,
          input: item.arguments,
        },
        {
          type: 'tool_result',
          id: asString(item.id),
          output: item.result ?? item.error,
          ...(item.error ? { isError: true } : {}),
        },
      ];
    default:
      return [];
  }
}
