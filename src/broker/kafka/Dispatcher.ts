import type { MessageHandler, SubmissionMessage } from '../Broker.js';
import { HandlerDeclined } from '../errors.js';
import { PartitionOffsets, type CommitPosition } from './PartitionOffsets.js';
import { deadLetterRecord, decode, retryRecord, type ConsumedRecord, type Delivery, type OutgoingRecord } from './records.js';
import { backoffMs, TimerSet } from './TimerSet.js';

export interface DispatcherOptions {
  readonly handler: MessageHandler;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  readonly retryTopic: string;
  readonly deadLetterTopic: string;
  readonly send: (records: OutgoingRecord[]) => Promise<void>;
  readonly commit: (positions: readonly CommitPosition[]) => Promise<void>;
  /** Backpressure on the fetch: called when enough records wait here, and when they no longer do. */
  readonly pauseFetching: () => void;
  readonly resumeFetching: () => void;
  readonly onHandlerError?: (message: SubmissionMessage, err: unknown) => void;
  readonly onError: (err: unknown) => void;
}

/**
 * Runs fetched records through the handler, at most `concurrency` at once and in any order, and
 * commits each partition up to the lowest record still open. A handler that throws sends its
 * record to the retry topic (or, on the last attempt, to the dead-letter topic) and the original
 * then counts as handled: a failing message never holds back its partition.
 */
export class Dispatcher {
  private readonly offsets = new PartitionOffsets();
  private readonly timers = new TimerSet();
  private ready: Delivery[] = [];
  /** Retries fetched before their time, waiting out the retry delay. */
  private readonly waiting = new Set<Delivery>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly bufferSize: number;
  private fetchPaused = false;
  private stopping = false;
  private finished = false;
  private committing: Promise<void> | null = null;
  private commitAgain = false;
  private commitRetryDue = false;

  constructor(private readonly opts: DispatcherOptions) {
    // Enough to keep every slot busy across a fetch round trip, small enough that a rebalance
    // gives little buffered work to another member.
    this.bufferSize = Math.max(2 * opts.concurrency, 16);
  }

  /** Fetched and not yet handled here: running, ready to run, or waiting for a retry delay. */
  depth(): number {
    return this.ready.length + this.waiting.size + this.inFlight.size;
  }

  accept(record: ConsumedRecord): void {
    if (this.stopping) return;
    if (!this.offsets.track(record.topic, record.partition, record.offset)) return;
    const delivery = decode(record);
    if (delivery.id === null) {
      this.run(delivery, () => Promise.reject(new Error(`not a submission message: ${delivery.value.slice(0, 200)}`)));
      return;
    }
    const waitMs = delivery.notBeforeMs - Date.now();
    if (waitMs > 0) return this.later(delivery, waitMs);
    this.enqueue(delivery);
  }

  private later(delivery: Delivery, waitMs: number): void {
    this.waiting.add(delivery);
    this.timers.after(waitMs, () => {
      // Gone from the set when a rebalance gave its partition away meanwhile.
      if (this.waiting.delete(delivery)) this.enqueue(delivery);
    });
  }

  /** After a rebalance: work from partitions now owned by another member is theirs to do. */
  retainPartitions(assigned: ReadonlySet<string>): void {
    this.offsets.retainOnly(assigned);
    this.ready = this.ready.filter((d) => this.offsets.owns(d.topic, d.partition));
    for (const d of this.waiting) if (!this.offsets.owns(d.topic, d.partition)) this.waiting.delete(d);
    this.pump();
  }

  /**
   * Starts no handler from now on (records not started stay uncommitted). Synchronous, so a
   * stopping adapter calls it before anything it awaits.
   */
  stopDelivering(): void {
    this.stopping = true;
    this.ready = [];
    this.waiting.clear();
    this.timers.clear();
  }

  /**
   * Delivers nothing more, waits up to `graceMs` for running handlers, then commits what was
   * handled. Records not yet started stay uncommitted: the group delivers them again elsewhere.
   */
  async drain(graceMs: number): Promise<void> {
    this.stopDelivering();
    const grace = new TimerSet();
    await Promise.race([Promise.allSettled([...this.inFlight]), grace.sleep(graceMs)]);
    grace.clear();
    while (this.committing) await this.committing;
    this.commitNow();
    while (this.committing) await this.committing;
    this.finished = true;
    this.timers.clear();
  }

  private enqueue(delivery: Delivery): void {
    this.ready.push(delivery);
    this.pump();
  }

  private pump(): void {
    while (!this.stopping && this.inFlight.size < this.opts.concurrency && this.ready.length > 0) {
      const delivery = this.ready.shift() as Delivery;
      const id = delivery.id as string;
      this.run(delivery, () => this.opts.handler({ id }));
    }
    if (!this.fetchPaused && this.ready.length >= this.bufferSize) {
      this.fetchPaused = true;
      this.opts.pauseFetching();
    } else if (this.fetchPaused && this.ready.length < this.bufferSize / 2) {
      this.fetchPaused = false;
      this.opts.resumeFetching();
    }
  }

  private run(delivery: Delivery, work: () => Promise<void>): void {
    const running: Promise<void> = (async () => {
      try {
        await work();
      } catch (err) {
        if (err instanceof HandlerDeclined) {
          // Not started: left uncommitted, so the group delivers it again once this member has
          // left; if this one goes on, it is tried again here on the next turn.
          if (!this.stopping) this.later(delivery, 0);
          return;
        }
        if (delivery.id !== null) this.opts.onHandlerError?.({ id: delivery.id }, err);
        if (!(await this.handOn(delivery, err))) return;
      }
      this.offsets.done(delivery.topic, delivery.partition, delivery.offset);
      this.commitNow();
    })().finally(() => {
      this.inFlight.delete(running);
      this.pump();
    });
    this.inFlight.add(running);
  }

  /**
   * Re-publishes a failed record for a later attempt, or to the dead-letter topic after the last.
   * Keeps trying while the broker is away (the original stays uncommitted meanwhile); false if
   * the adapter stopped first, leaving the original to be delivered again.
   */
  private async handOn(delivery: Delivery, err: unknown): Promise<boolean> {
    const last = delivery.id === null || delivery.attempt >= this.opts.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      const record = last
        ? deadLetterRecord(this.opts.deadLetterTopic, delivery, err)
        : retryRecord(this.opts.retryTopic, delivery, Date.now() + this.opts.retryDelayMs);
      try {
        await this.opts.send([record]);
        return true;
      } catch (sendErr) {
        if (this.stopping) return false;
        this.opts.onError(sendErr);
        await this.timers.sleep(backoffMs(attempt, 5000));
        if (this.stopping) return false;
      }
    }
  }

  /** One commit at a time; whatever finishes meanwhile goes in the next one. */
  private commitNow(): void {
    if (this.finished) return;
    if (this.committing) {
      this.commitAgain = true;
      return;
    }
    const positions = this.offsets.takeCommits();
    if (positions.length === 0) return;
    this.committing = this.opts
      .commit(positions)
      .catch((err: unknown) => {
        this.offsets.commitFailed(positions);
        this.opts.onError(err);
        this.retryCommitLater();
      })
      .finally(() => {
        this.committing = null;
        if (this.commitAgain) {
          this.commitAgain = false;
          this.commitNow();
        }
      });
  }

  private retryCommitLater(): void {
    if (this.commitRetryDue || this.stopping) return;
    this.commitRetryDue = true;
    this.timers.after(1000, () => {
      this.commitRetryDue = false;
      this.commitNow();
    });
  }
}
