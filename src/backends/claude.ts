import type { RunEvent } from '../runs/events.ts';
import { type AgentBackendOptions, agentBackend } from './agent-backend.ts';
import type { AgentBackendConfig } from './agent-config.ts';
import { asArray, asObject, asString, sum, usageEvent } from './json-fields.ts';
import { jsonLinesParser } from './json-lines.ts';
import type { Backend, OutputParser } from './types.ts';

/** `claude -p --output-format stream-json --verbose … PROMPT` (agent-clis.md §1). */
export function claudeBackend(
  name: string,
  config: AgentBackendConfig,
  options?: AgentBackendOptions,
): Backend {
  return agentBackend(
    name,
    config,
    {
      args: (request, cfg) => [
        '-p',
        '--output-format',
        'stream-json',
        '--verbose',
        ...(request.model ? ['--model', request.model] : []),
        ...(cfg.permissionMode ? ['--permission-mode', cfg.permissionMode] : []),
        ...cfg.args,
        request.prompt,
      ],
      parser: claudeParser,
    },
    options,
  );
}

/**
 * Final answer = `result.result`, usage = `result.usage` + `total_cost_usd`. A result with
 * `is_error: true` is a failure even when its subtype says success (an expired login looks like that).
 */
export function claudeParser(name = 'claude'): OutputParser {
  let finished = false;
  // With --include-partial-messages the text came as deltas already: the whole `assistant` line repeats it.
  let streamedText = false;
  return jsonLinesParser(name, {
    get finished() {
      return finished;
    },
    json(line) {
      switch (line.type) {
        case 'stream_event': {
          const event = asObject(line.event);
          const delta = asObject(event.delta);
          if (event.type === 'content_block_delta' && delta.type === 'text_delta') {
            streamedText = true;
            return [{ type: 'text', text: asString(delta.text), delta: true }];
          }
          return [];
        }
        case 'assistant':
          return assistant(asObject(line.message), streamedText);
        case 'user':
          return toolResults(asObject(line.message));
        case 'rate_limit_event': {
          const info = asObject(line.rate_limit_info);
          if (info.status !== 'rejected') return [];
          return [
            { type: 'error', code: 'ERR_AGENT_FAILED', message: 'rate limit rejected', retryable: true },
          ];
        }
        case 'result':
          finished = true;
          return result(line);
        default:
          return [];
      }
    },
  });
}

function assistant(message: Record<string, unknown>, streamedText: boolean): RunEvent[] {
  const events: RunEvent[] = [];
  for (const block of asArray(message.content).map(asObject)) {
    if (block.type === 'text' && !streamedText) events.push({ type: 'text', text: asString(block.text) });
    if (block.type === 'tool_use')
      events.push({
        type: 'tool_call',
        id: asString(block.id),
        name: asString(block.name),
        input: block.input,
      });
  }
  return events;
}

function toolResults(message: Record<string, unknown>): RunEvent[] {
  return asArray(message.content)
    .map(asObject)
    .filter((block) => block.type === 'tool_result')
    .map((block) => ({
      type: 'tool_result',
      id: asString(block.tool_use_id),
      output: block.content,
      ...(block.is_error === true ? { isError: true } : {}),
    }));
}

function result(line: Record<string, unknown>): RunEvent[] {
  const events: RunEvent[] = [];
  const usage = asObject(line.usage);
  if (line.usage !== undefined || line.total_cost_usd !== undefined) {
    const input = sum(usage.input_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens);
    events.push(usageEvent(input, usage.output_tokens, line.total_cost_usd));
  }
  const text = asString(line.result);
  if (line.is_error === true || line.subtype !== 'success') {
    const message = text || asArray(line.errors).map(String).join('; ') || String(line.subtype);
    events.push({ type: 'error', code: 'ERR_AGENT_FAILED', message });
  } else events.push({ type: 'result', text });
  return events;
}
