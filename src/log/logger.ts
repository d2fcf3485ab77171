import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout, one object a line, as collectors expect. */
export function createLogger(level: string, name = 'verdict'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
