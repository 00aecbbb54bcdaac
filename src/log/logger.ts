import { type Logger, pino } from 'pino';
import { SecretRedactor } from './redact.ts';

export type { Logger };

export interface LoggerOptions {
  /** pino level: fatal, error, warn, info, debug, trace or silent (default info). */
  readonly level?: string;
  /** Values that must never appear in a line. */
  readonly secrets?: Iterable<string>;
  /** Where lines go (default: stderr, synchronously, so a crash loses nothing). */
  readonly destination?: { write(line: string): unknown };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** JSON lines with secret values redacted from every line, and token fields censored by path. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const redactor = new SecretRedactor(options.secrets ?? []);
  const out = options.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'token',
          'tokens',
          'authorization',
          '*.authorization',
          'headers.authorization',
          'req.headers.authorization',
        ],
        censor: '[REDACTED]',
      },
    },
    { write: (line: string) => out.write(redactor.redact(line)) },
  );
}

const SILENT = pino({ level: 'silent' });

/** A logger that writes nothing (the library default); one shared instance. */
export function silentLogger(): Logger {
  return SILENT;
}
