import type { RunEvent, RunEventType } from '../runs/events.ts';
import { childEnvironment } from './environment.ts';
import { LineSplitter } from './line-splitter.ts';
import type { Backend, LaunchPlan, OutputParser, RunRequest } from './types.ts';

export interface CommandBackendConfig {
  readonly type: 'command';
  /** `[ABS_PATH, ...args]`: fixed by the operator, never by a client. */
  readonly argv: readonly string[];
  /** How the prompt reaches the program: written to stdin then EOF, appended as the last argument, or not at all. */
  readonly input: 'stdin' | 'arg' | 'none';
  /** `text`: stdout passes through as raw chunks; `jsonl`: each JSON line becomes an event. */
  readonly output: 'text' | 'jsonl';
  /** Names of server environment variables the program may see. */
  readonly env: readonly string[];
}

/** The generic backend: any configured program. */
export function commandBackend(name: string, config: CommandBackendConfig): Backend {
  return {
    name,
    type: 'command',
    binary: config.argv[0] as string,
    launch(request: RunRequest): LaunchPlan {
      const argv = config.input === 'arg' ? [...config.argv, request.prompt] : [...config.argv];
      return {
        argv,
        stdin: config.input === 'stdin' ? { text: request.prompt } : 'ignore',
        env: childEnvironment(config.env),
      };
    },
    parser: () => (config.output === 'jsonl' ? jsonlParser() : textParser()),
  };
}

function textParser(): OutputParser {
  return {
    stdout: (chunk) => [{ type: 'stdout', data: chunk }],
    stderr: (line) => [{ type: 'stderr', data: line }],
    end: () => [],
    finished: false,
  };
}

/** Types a program may not forge: they belong to Tether's own framing of the run. */
const RESERVED: ReadonlySet<RunEventType> = new Set(['start', 'exit', 'gap']);
const KNOWN: ReadonlySet<string> = new Set<RunEventType>([
  'text',
  'tool_call',
  'tool_result',
  'usage',
  'result',
  'error',
  'stdout',
  'stderr',
  'json',
]);

function jsonlParser(): OutputParser {
  const lines = new LineSplitter();
  const toEvent = (line: string): RunEvent[] => {
    if (line.trim() === '') return [];
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return [{ type: 'stdout', data: `${line}\n` }];
    }
    const type = (value as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && KNOWN.has(type) && !RESERVED.has(type as RunEventType))
      return [value as RunEvent];
    return [{ type: 'json', data: value }];
  };
  return {
    stdout: (chunk) => lines.push(chunk).flatMap(toEvent),
    stderr: (line) => [{ type: 'stderr', data: line }],
    end: () => lines.end().flatMap(toEvent),
    finished: false,
  };
}
