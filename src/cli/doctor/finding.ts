/** One line of `tether doctor`: a fatal finding makes the command exit non-zero. */
export interface Finding {
  readonly check: string;
  readonly status: 'ok' | 'info' | 'warn' | 'fatal';
  readonly detail: string;
}
