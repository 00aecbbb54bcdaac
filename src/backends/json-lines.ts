import { channel } from 'node:diagnostics_channel';
import type { RunEvent } from '../runs/events.ts';
import { LineSplitter } from './line-splitter.ts';
import type { OutputParser, ProgramExit } from './types.ts';

/** Where agent parsers report stdout lines they skipped (not JSON, or JSON they do not know). */
export const skippedLines = channel('tether:backend:skipped-line');

/** One CLI's stateful line handler; jsonLinesParser does the framing. */
export interface LineHandler {
  /** One JSON object line. */
  json(value: Record<string, unknown>): RunEvent[];
  /** A line that is not a JSON object: skipped unless the handler surfaces it. */
  plain?(line: string): RunEvent[];
  /** stdout ended and the program exited: derived events (final answer, usage, exit-code failures). */
  end?(exit: ProgramExit | undefined): RunEvent[];
  /** The CLI printed its terminal event. */
  readonly finished: boolean;
}

/**
 * Splits stdout on `\n` only (not U+2028/U+2029, as readline would), parses each line as JSON and hands
 * objects to the handler. A non-JSON line never breaks the stream. stderr lines pass through as `stderr`.
 */
export function jsonLinesParser(backend: string, handler: LineHandler): OutputParser {
  const lines = new LineSplitter();
  let ended = false;
  const onLine = (line: string): RunEvent[] => {
    if (line.trim() === '') return [];
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return handler.json(value as Record<string, unknown>);
    if (handler.plain) return handler.plain(line);
    if (skippedLines.hasSubscribers) skippedLines.publish({ backend, line });
    return [];
  };
  return {
    stdout: (chunk) => lines.push(chunk).flatMap(onLine),
    stderr: (line) => [{ type: 'stderr', data: line }],
    end: (exit) => {
      if (ended) return [];
      ended = true;
      return [...lines.end().flatMap(onLine), ...(handler.end?.(exit) ?? [])];
    },
    get finished() {
      return handler.finished;
    },
  };
}
