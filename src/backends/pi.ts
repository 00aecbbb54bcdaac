import type { RunEvent } from '../runs/events.ts';
import { type AgentBackendOptions, agentBackend } from './agent-backend.ts';
import type { AgentBackendConfig } from './agent-config.ts';
import { asArray, asObject, asString, UsageTotals } from './json-fields.ts';
import { jsonLinesParser } from './json-lines.ts';
import type { Backend, OutputParser } from './types.ts';

/** `pi --mode json --no-session [--model provider/id] … PROMPT` (agent-clis.md §5); cwd is the process cwd. */
export function piBackend(name: string, config: AgentBackendConfig, options?: AgentBackendOptions): Backend {
  return agentBackend(
    name,
    config,
    {
      args: (request, cfg) => [
        '--mode',
        'json',
        '--no-session',
        ...(request.model ? ['--model', request.model] : []),
        ...cfg.args,
        request.prompt,
      ],
      parser: piParser,
    },
    options,
  );
}

/**
 * Text from `text_delta` updates; final answer = the text blocks of the last assistant `message_end`;
 * usage = the sum over assistant `message_end`s. `stopReason: "error"` is a failure although pi exits 0.
 * The run is over at `agent_end`.
 */
export function piParser(name = 'pi'): OutputParser {
  let finished = false;
  const usage = new UsageTotals();
  let last: Record<string, unknown> | undefined;
  return jsonLinesParser(name, {
    get finished() {
      return finished;
    },
    json(line) {
      switch (line.type) {
        case 'message_update': {
          const update = asObject(line.assistantMessageEvent);
          return update.type === 'text_delta'
            ? [{ type: 'text', text: asString(update.delta), delta: true }]
            : [];
        }
        case 'message_end': {
          const message = asObject(line.message);
          if (message.role !== 'assistant') return [];
          last = message;
          const u = asObject(message.usage);
          usage.add(u.input, u.output, asObject(u.cost).total);
          return [];
        }
        case 'tool_execution_start':
          return [
            {
              type: 'tool_call',
              id: asString(line.toolCallId),
              name: asString(line.toolName),
              input: line.args,
            },
          ];
        case 'tool_execution_end':
          return [
            {
              type: 'tool_result',
              id: asString(line.toolCallId),
              output: resultText(line.result),
              ...(line.isError === true ? { isError: true } : {}),
            },
          ];
        case 'agent_end':
          finished = true;
          return final(last, usage);
        default:
          return [];
      }
    },
  });
}

function final(last: Record<string, unknown> | undefined, usage: UsageTotals): RunEvent[] {
  const events: RunEvent[] = usage.seen ? [usage.event()] : [];
  if (last?.stopReason === 'error' || last?.stopReason === 'aborted') {
    const message = asString(last.errorMessage) || `pi stopped: ${String(last.stopReason)}`;
    events.push({ type: 'error', code: 'ERR_AGENT_FAILED', message });
    return events;
  }
  events.push({ type: 'result', text: last ? blocksText(last.content) : '' });
  return events;
}

function blocksText(content: unknown): string {
  return asArray(content)
    .map(asObject)
    .filter((block) => block.type === 'text')
    .map((block) => asString(block.text))
    .join('');
}

/** A tool result is `{content: [{type: 'text', text}], details}`: its text, or the whole value otherwise. */
function resultText(result: unknown): unknown {
  const content = asObject(result).content;
  return Array.isArray(content) ? blocksText(content) : result;
}
