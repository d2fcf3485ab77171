import type { Submission } from '../store/index.js';
import { CallbackDestinationRefused } from './errors.js';
import { nativeFormatter } from './formatters.js';
import type { CallbackMetrics } from './metrics.js';
import type { CallbackFormatters, CallbackLogger, CallbackRequest, CallbackSender } from './types.js';

export interface CallbackDispatcherOptions {
  readonly sender: CallbackSender;
  /** By format; 'verdict' defaults to the native view. */
  readonly formatters?: CallbackFormatters;
  readonly metrics: CallbackMetrics;
  readonly log: CallbackLogger;
  /** Attempts per callback, the first included. */
  readonly maxAttempts: number;
  /** Wait before the second attempt; doubled for each one after, with jitter. */
  readonly baseDelayMs: number;
  /** The longest wait between two attempts, however many came before. */
  readonly maxDelayMs?: number;
  readonly random?: () => number;
}

interface Delivery {
  readonly id: string;
  readonly url: string;
  readonly request: CallbackRequest;
  readonly attempt: number;
}

const DEFAULT_MAX_DELAY_MS = 10 * 60_000;

/**
 * Sends each finished submission's callback from the process that stored its result, retrying
 * with exponential backoff. Delivery state is in memory only: what is still waiting for a retry
 * when the process stops gets one last attempt in `stop()`, and is lost if the process dies.
 * A receiver may see a callback twice (an answer lost after it was handled); the submission id
 * in the body is what to deduplicate on.
 */
export class CallbackDispatcher {
  private readonly waiting = new Map<Delivery, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly formatters: CallbackFormatters;
  private stopping = false;

  constructor(private readonly opts: CallbackDispatcherOptions) {
    this.formatters = { verdict: nativeFormatter, ...opts.formatters };
  }

  /** Deliveries still to be made: in flight or waiting for their next attempt. */
  get pending(): number {
    return this.inFlight.size + this.waiting.size;
  }

  /** Starts delivering the callback `submission` asked for, if any; returns at once. */
  submissionFinished(submission: Submission): void {
    const spec = submission.options.callback;
    if (!spec) return;
    let request: CallbackRequest;
    try {
      request = this.format(submission);
    } catch (err) {
      this.opts.log.error({ id: submission.id, err }, 'callback not sent: its body could not be built');
      this.opts.metrics.ended('failed');
      return;
    }
    this.attempt({ id: submission.id, url: spec.url, request, attempt: 1 });
  }

  /**
   * Gives every callback waiting for a retry its last attempt now, and resolves once nothing is
   * in flight (each attempt is bounded by the sender's timeout).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const [delivery, timer] of this.waiting) {
      clearTimeout(timer);
      this.attempt({ ...delivery, attempt: delivery.attempt + 1 });
    }
    this.waiting.clear();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private format(submission: Submission): CallbackRequest {
    const format = submission.options.callback?.format ?? 'verdict';
    const formatter = this.formatters[format];
    if (formatter) return formatter.format(submission);
    this.opts.log.warn({ id: submission.id, format }, `no callback formatter for "${format}" is registered; sending Verdict's own view instead`);
    return nativeFormatter.format(submission);
  }

  private attempt(delivery: Delivery): void {
    const done = this.send(delivery).finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  private async send(d: Delivery): Promise<void> {
    const { log, metrics, maxAttempts } = this.opts;
    const context = { id: d.id, url: d.url, attempt: d.attempt };
    let failure: string;
    try {
      const status = await this.opts.sender.send(d.url, d.request);
      if (status >= 200 && status < 300) {
        metrics.ended('delivered');
        log.info({ ...context, status }, 'callback delivered');
        return;
      }
      failure = `HTTP ${status}`;
    } catch (err) {
      if (err instanceof CallbackDestinationRefused) {
        metrics.ended('refused');
        log.warn({ ...context, reason: err.message }, 'callback refused: its destination is not a public address');
        return;
      }
      failure = (err as Error).message;
    }
    if (d.attempt >= maxAttempts || this.stopping) {
      metrics.ended('failed');
      log.warn({ ...context, failure }, this.stopping ? 'callback failed; not retried because the process is stopping' : `callback failed ${d.attempt} times; giving up`);
      return;
    }
    const delayMs = this.delayMs(d.attempt);
    log.debug({ ...context, failure, delayMs }, 'callback attempt failed; retrying');
    const next = { ...d, attempt: d.attempt + 1 };
    const timer = setTimeout(() => {
      this.waiting.delete(d);
      this.attempt(next);
    }, delayMs);
    this.waiting.set(d, timer);
  }

  /**
   * "Equal jitter": half the exponential step is kept, half is random, so retries of many
   * callbacks to one receiver that failed together spread out instead of arriving together.
   */
  private delayMs(attemptsMade: number): number {
    const step = Math.min(this.opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS, this.opts.baseDelayMs * 2 ** (attemptsMade - 1));
    return Math.round(step / 2 + (this.opts.random ?? Math.random)() * (step / 2));
  }
}
