import type { RunEvent } from '../runs/events.ts';
import { type AgentBackendOptions, agentBackend } from './agent-backend.ts';
import type { AgentBackendConfig } from './agent-config.ts';
import { asArray, asObject, asString } from './json-fields.ts';
import { jsonLinesParser } from './json-lines.ts';
import type { Backend, OutputParser } from './types.ts';

/** kimi's exit code for a retryable failure (429, 5xx, connection, timeout, empty response). */
const EXIT_RETRYABLE = 75;

/** `kimi --print --output-format stream-json --work-dir CWD [-m MODEL] … --prompt=PROMPT` (agent-clis.md §4). */
export function kimiBackend(
  name: string,
  config: AgentBackendConfig,
  options?: AgentBackendOptions,
): Backend {
  return agentBackend(
    name,
    config,
    {
      args: (request, cfg) => [
        '--print',
        '--output-format',
        'stream-json',
        '--work-dir',
        request.cwd,
        ...(request.model ? ['--model', request.model] : []),
        ...cfg.args,
        `--prompt=${request.prompt}`,
      ],
      parser: kimiParser,
    },
    options,
  );
}

/**
 * One line per complete message, no usage. Final answer = the last assistant line without tool calls.
 * Errors are plain text on stdout: surfaced as `text`, and as the `error` message when the exit code
 * says the run failed (75 = retryable).
 */
export function kimiParser(name = 'kimi'): OutputParser {
  let answer: string | undefined;
  const plain: string[] = [];
  return jsonLinesParser(name, {
    get finished() {
      return answer !== undefined;
    },
    json(line) {
      if (line.role === 'tool')
        return [{ type: 'tool_result', id: asString(line.tool_call_id), output: line.content }];
      if (line.role !== 'assistant') return [];
      const events: RunEvent[] = [];
      const text = contentText(line.content);
      if (text) events.push({ type: 'text', text });
      const calls = asArray(line.tool_calls).map(asObject);
      for (const call of calls) {
        const fn = asObject(call.function);
        events.push({
          type: 'tool_call',
          id: asString(call.id),
          name: asString(fn.name),
          input: parseArgs(fn.arguments),
        });
      }
      if (calls.length === 0) {
        answer = text;
        events.push({ type: 'result', text });
      }
      return events;
    },
    plain(line) {
      plain.push(line);
      return [{ type: 'text', text: `${line}\n` }];
    },
    end(exit) {
      if (!exit || exit.code === 0 || exit.code === null) return [];
      const message = plain.join('\n') || `kimi exited with code ${exit.code}`;
      return [
        {
          type: 'error',
          code: 'ERR_AGENT_FAILED',
          message,
          ...(exit.code === EXIT_RETRYABLE ? { retryable: true } : {}),
        },
      ];
    },
  });
}

/** `content` is a string for one text part, else an array of parts (text, think, …). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map(asObject)
    .filter((part) => part.type === 'text')
    .map((part) => asString(part.text))
    .join('');
}

function parseArgs(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
