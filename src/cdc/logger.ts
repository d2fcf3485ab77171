/** The slice of a pino logger the relay and sweeper use, so tests can pass a fake or a silent one. */
export interface RelayLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: RelayLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** What a log line or a health check shows of an error: its stable code and message, no stack. */
export function describeError(err: unknown): { code: string; message: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return {
    code: typeof code === 'string' ? code : 'unexpected',
    message: err instanceof Error ? err.message : String(err),
  };
}
