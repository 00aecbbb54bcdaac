import type { ExitReason } from '../process/types.ts';

/** The normalized stream every backend maps its program's output to (see DESIGN.md). */
export type RunEvent =
  | { readonly type: 'start'; readonly runId: string; readonly pid: number; readonly backend: string }
  | { readonly type: 'text'; readonly text: string; readonly delta?: boolean }
  | { readonly type: 'tool_call'; readonly id?: string; readonly name: string; readonly input?: unknown }
  | {
      readonly type: 'tool_result';
      readonly id?: string;
      readonly output?: unknown;
      readonly isError?: boolean;
    }
  | {
      readonly type: 'usage';
      readonly inputTokens?: number;
      readonly outputTokens?: number;
      readonly costUsd?: number;
    }
  | { readonly type: 'result'; readonly text: string }
  | { readonly type: 'error'; readonly code: string; readonly message: string; readonly retryable?: boolean }
  | { readonly type: 'stdout'; readonly data: string }
  | { readonly type: 'stderr'; readonly data: string }
  | { readonly type: 'json'; readonly data: unknown }
  | {
      readonly type: 'exit';
      readonly code: number | null;
      readonly signal: string | null;
      readonly reason: ExitReason;
    }
  | { readonly type: 'gap'; readonly missed: number };

export type RunEventType = RunEvent['type'];

/** An event with its position in the run's stream (the SSE `id:`). */
export interface SequencedEvent {
  readonly id: number;
  readonly event: RunEvent;
}

/** The error code a run's `error` event carries for each way a run can be ended for it. */
export const END_ERROR_CODES: Partial<Record<ExitReason, string>> = {
  cancelled: 'ERR_RUN_CANCELLED',
  disconnected: 'ERR_RUN_DISCONNECTED',
  timeout: 'ERR_RUN_TIMEOUT',
  idle_timeout: 'ERR_RUN_IDLE_TIMEOUT',
  output_limit: 'ERR_RUN_OUTPUT_LIMIT',
  shutdown: 'ERR_RUN_SHUTDOWN',
  crashed: 'ERR_RUN_CRASHED',
};
