/** The message a worker receives: only the id; the store holds the submission. */
export interface SubmissionMessage {
  readonly id: string;
}

export type MessageHandler = (message: SubmissionMessage) => Promise<void>;

/**
 * Delivers submission ids to workers, at least once. A message counts as handled only when the
 * handler's promise resolves; a handler that throws gets the message again later. Consumers
 * must therefore be idempotent (the store's claim makes them so). A handler that throws
 * HandlerDeclined did not start: the message is delivered again, and no attempt is counted.
 */
export interface Broker {
  publish(messages: readonly SubmissionMessage[]): Promise<void>;
  /** Starts delivering to `handler`, never more than `concurrency` messages at once. */
  consume(handler: MessageHandler, concurrency: number): void;
  /** Stops delivering new messages and waits up to `graceMs` for those in flight. */
  stop(graceMs: number): Promise<void>;
  /** Messages published and not yet handled (including those in flight). */
  depth(): number;
}
