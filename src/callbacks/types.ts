import type { CallbackSpec, Submission } from '../store/index.js';

export type CallbackFormat = CallbackSpec['format'];

/** What one callback sends: the body (sent as JSON) and the method its receivers expect. */
export interface CallbackRequest {
  readonly method: 'POST' | 'PUT';
  readonly body: unknown;
}

/**
 * Shapes a finished submission into the callback a client of one API expects. Verdict's own
 * format is built in; a compatibility API registers its own (see cli/callbacks.ts).
 */
export interface CallbackFormatter {
  format(submission: Submission): CallbackRequest;
}

export type CallbackFormatters = Readonly<Partial<Record<CallbackFormat, CallbackFormatter>>>;

/** One HTTP attempt; resolves with the response status, rejects when no response came. */
export interface CallbackSender {
  send(url: string, request: CallbackRequest): Promise<number>;
}

/** The slice of a pino logger callbacks use. */
export interface CallbackLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
