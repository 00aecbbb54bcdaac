import type { RunEvent } from '../runs/events.ts';
import { type AgentBackendOptions, agentBackend } from './agent-backend.ts';
import type { AgentBackendConfig } from './agent-config.ts';
import { asObject, asString, UsageTotals } from './json-fields.ts';
import { jsonLinesParser } from './json-lines.ts';
import type { Backend, OutputParser } from './types.ts';

/** `opencode run --format json --dir CWD [-m provider/model] [--auto] … MESSAGE` (agent-clis.md §3). */
export function opencodeBackend(
  name: string,
  config: AgentBackendConfig,
  options?: AgentBackendOptions,
): Backend {
  return agentBackend(
    name,
    config,
    {
      args: (request, cfg) => [
        'run',
        '--format',
        'json',
        '--dir',
        request.cwd,
        ...(request.model ? ['--model', request.model] : []),
        ...(cfg.permissionMode === 'auto' ? ['--auto'] : []),
        ...cfg.args,
        request.prompt,
      ],
      parser: opencodeParser,
    },
    options,
  );
}

/**
 * Final answer = the `text` parts of the last message; usage = the sum over `step_finish` parts. The run
 * is over at a `step_finish` with reason `stop` or at an `error` event (opencode may then hang silently:
 * the linger grace, or the idle timeout, ends it). `! permission requested …` lines are skipped.
 */
export function opencodeParser(name = 'opencode'): OutputParser {
  let finished = false;
  const usage = new UsageTotals();
  let messageId: unknown;
  let answer: string[] = [];
  return jsonLinesParser(name, {
    get finished() {
      return finished;
    },
    json(line) {
      const part = asObject(line.part);
      switch (line.type) {
        case 'text': {
          const text = asString(part.text);
          if (part.messageID !== messageId || messageId === undefined) answer = [];
          messageId = part.messageID;
          answer.push(text);
          return [{ type: 'text', text }];
        }
        case 'tool_use':
          return toolUse(part);
        case 'step_finish': {
          const tokens = asObject(part.tokens);
          usage.add(tokens.input, tokens.output, part.cost);
          if (part.reason !== 'stop') return [];
          finished = true;
          return [usage.event(), { type: 'result', text: answer.join('') }];
        }
        case 'error': {
          finished = true;
          const error = asObject(line.error);
          const data = asObject(error.data);
          const message = asString(data.message) || asString(error.name) || 'opencode error';
          return [
            {
              type: 'error',
              code: 'ERR_AGENT_FAILED',
              message,
              ...(data.isRetryable === true ? { retryable: true } : {}),
            },
          ];
        }
        default:
          return [];
      }
    },
  });
}

/** opencode reports a tool call and its result in one event, once the tool is done. */
function toolUse(part: Record<string, unknown>): RunEvent[] {
  const state = asObject(part.state);
  const id = asString(part.callID);
  const failed = state.status === 'error';
  return [
    { type: 'tool_call', id, name: asString(part.tool), input: state.input },
    {
      type: 'tool_result',
      id,
      output: failed ? state.error : state.output,
      ...(failed ? { isError: true } : {}),
    },
  ];
}
