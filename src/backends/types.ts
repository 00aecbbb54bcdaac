import type { RunEvent } from '../runs/events.ts';

/** What a client asked for, already validated: never argv, binary or environment. */
export interface RunRequest {
  readonly prompt: string;
  /** Resolved (realpath) and inside a configured workspace root. */
  readonly cwd: string;
  readonly model?: string;
}

/** How to start the program for one request. */
export interface LaunchPlan {
  readonly argv: readonly string[];
  /** `ignore`, or write the text then EOF: never an open pipe a CLI could wait on forever. */
  readonly stdin: 'ignore' | { readonly text: string };
  readonly env: Readonly<Record<string, string>>;
}

/** How the program ended, as far as the parser needs to know (kimi's exit 75 means retryable). */
export interface ProgramExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** Turns a program's output into normalized events. One parser per run; it may keep state. */
export interface OutputParser {
  /** A chunk of stdout, as text. */
  stdout(chunk: string): RunEvent[];
  /** One line of stderr. */
  stderr(line: string): RunEvent[];
  /** stdout ended: flush what is pending (a last line without a newline, a derived final answer). */
  end(exit?: ProgramExit): RunEvent[];
  /** True once the program printed its terminal event; the run may end a program that lingers after it. */
  readonly finished: boolean;
}

/** One configured backend: a program and the rules for running it. */
export interface Backend {
  readonly name: string;
  readonly type: string;
  /** The program (absolute path or a name looked up on PATH). */
  readonly binary: string;
  launch(request: RunRequest): LaunchPlan;
  parser(): OutputParser;
}
