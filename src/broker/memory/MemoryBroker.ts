import type { Broker, MessageHandler, SubmissionMessage } from '../Broker.js';
import { HandlerDeclined } from '../errors.js';

export interface MemoryBrokerOptions {
  /** Delay before a message whose handler failed is delivered again. */
  readonly retryDelayMs: number;
  readonly onHandlerError?: (message: SubmissionMessage, err: unknown) => void;
}

/**
 * The in-process queue of standalone mode. It holds nothing durable: the store does, and a
 * restart republishes every unfinished submission, which is what makes losing this queue safe.
 */
export class MemoryBroker implements Broker {
  private readonly queue: SubmissionMessage[] = [];
  private handler: MessageHandler | null = null;
  private concurrency = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** Failed messages waiting out their retry delay: still unhandled, so they count in depth. */
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly opts: MemoryBrokerOptions) {}

  async publish(messages: readonly SubmissionMessage[]): Promise<void> {
    if (this.stopped) return;
    this.queue.push(...messages);
    this.pump();
  }

  consume(handler: MessageHandler, concurrency: number): void {
    this.handler = handler;
    this.concurrency = concurrency;
    this.pump();
  }

  depth(): number {
    return this.queue.length + this.inFlight.size + this.retryTimers.size;
  }

  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.allSettled([...this.inFlight]), timeout]);
    clearTimeout(timer);
  }

  private pump(): void {
    const handler = this.handler;
    if (!handler) return;
    while (!this.stopped && this.inFlight.size < this.concurrency && this.queue.length > 0) {
      const message = this.queue.shift() as SubmissionMessage;
      const run: Promise<void> = handler(message)
        .catch((err: unknown) => {
          if (err instanceof HandlerDeclined) {
            // Not started: queued again on the next turn (stopped, the republish at start covers it).
            this.retryLater(message, 0);
            return;
          }
          this.opts.onHandlerError?.(message, err);
          this.retryLater(message, this.opts.retryDelayMs);
        })
        .finally(() => {
          this.inFlight.delete(run);
          this.pump();
        });
      this.inFlight.add(run);
    }
  }

  private retryLater(message: SubmissionMessage, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      void this.publish([message]);
    }, delayMs);
    this.retryTimers.add(timer);
  }
}
