import { Consumer, stringDeserializers, type MessagesStream } from '@platformatic/kafka';
import { BrokerUnavailable } from '../errors.js';
import type { CommitPosition } from './PartitionOffsets.js';
import { closeClient, reason } from './RecordSender.js';
import type { ConsumedRecord } from './records.js';
import { backoffMs, TimerSet } from './TimerSet.js';

export interface GroupConsumerOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly clientRetries: number;
  readonly onRecord: (record: ConsumedRecord) => void;
  /** The partitions this member holds after each (re)join, as `topic:partition`. */
  readonly onAssignment: (assigned: ReadonlySet<string>) => void;
  readonly onError: (err: BrokerUnavailable) => void;
}

type Stream = MessagesStream<string, string, string, string>;

/**
 * One member of a consumer group with one fetch stream over its topics, kept alive: whenever the
 * stream fails or the group membership is in doubt, the stream is closed and reopened, which
 * rejoins the group and resumes from the committed positions. The client alone does not recover:
 * a failed fetch destroys its stream for good, and after one failed heartbeat it sends no more,
 * so the group would quietly give this member's partitions away.
 */
export class GroupConsumer {
  private readonly consumer: Consumer<string, string, string, string>;
  private readonly timers = new TimerSet();
  private stream: Stream | null = null;
  private reopening: Promise<void> | null = null;
  private paused = false;
  private fetching = true;

  constructor(private readonly opts: GroupConsumerOptions) {
    this.consumer = new Consumer({
      clientId: opts.clientId,
      groupId: opts.groupId,
      bootstrapBrokers: [...opts.brokers],
      deserializers: stringDeserializers,
      autocommit: false,
      sessionTimeout: opts.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(opts.sessionTimeoutMs / 10)),
      maxWaitTime: 2000,
      retries: opts.clientRetries,
      retryDelay: (_client, _op, attempt) => backoffMs(attempt),
    });
    this.consumer.on('consumer:group:join', (joined) => {
      const assigned = new Set<string>();
      for (const a of joined.assignments ?? []) for (const p of a.partitions) assigned.add(`${a.topic}:${p}`);
      opts.onAssignment(assigned);
    });
    // The client emits 'error' when rejoining after a failed heartbeat fails; unheard, an
    // EventEmitter 'error' would end the process.
    this.consumer.on('error', (err: Error) => this.reopen(err));
    this.consumer.on('consumer:heartbeat:error', ({ error }) => this.reopen(error));
  }

  start(): void {
    this.reopen(null);
  }

  /** Stops handing out records (they wait in the client) until resume(). */
  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }

  async commit(positions: readonly CommitPosition[]): Promise<void> {
    try {
      // -1 is "epoch unknown": a consumer resuming from these offsets then cannot tell that an
      // unclean leader election truncated the log, which acks=all on replicated topics rules out.
      await this.consumer.commit({ offsets: positions.map((p) => ({ ...p, leaderEpoch: -1 })) });
    } catch (err) {
      throw new BrokerUnavailable(`cannot commit group ${this.opts.groupId}'s offsets: ${reason(err)}`, err);
    }
  }

  /** Stops fetching for good but stays in the group, so what is handled can still be committed. */
  async stopFetching(): Promise<void> {
    this.fetching = false;
    this.timers.clear();
    await this.closeStream();
  }

  /** Leaves the group (its partitions go to the other members at once) and closes every socket. */
  async close(): Promise<void> {
    await this.stopFetching();
    await closeClient(this.consumer);
    // A join still retrying against an absent broker fails as soon as the client is closed.
    await this.reopening;
  }

  private reopen(cause: unknown): void {
    if (!this.fetching || this.reopening) return;
    if (cause) this.opts.onError(new BrokerUnavailable(`Kafka consumer lost its stream: ${reason(cause)}`, cause));
    this.reopening = this.openStream().finally(() => {
      this.reopening = null;
    });
  }

  private async openStream(): Promise<void> {
    await this.closeStream();
    for (let attempt = 0; this.fetching; attempt++) {
      if (attempt > 0) await this.timers.sleep(backoffMs(attempt, 5000));
      if (!this.fetching) return;
      try {
        const stream = await this.consumer.consume({
          topics: [...this.opts.topics],
          autocommit: false,
          // Resume where the group left off; a new group starts at the beginning, so work
          // published before any worker existed is not skipped.
          mode: 'committed',
          fallbackMode: 'earliest',
          // The dispatcher buffers what runs next; records the client holds beyond that go to
          // waste when a rebalance hands their partition to another member.
          highWaterMark: 64,
        });
        this.attach(stream);
        return;
      } catch (err) {
        if (!this.fetching) return;
        this.opts.onError(new BrokerUnavailable(`cannot join consumer group ${this.opts.groupId}: ${reason(err)}`, err));
      }
    }
  }

  private attach(stream: Stream): void {
    this.stream = stream;
    stream.on('error', (err) => {
      if (this.stream === stream) this.reopen(err);
    });
    if (!this.fetching) {
      void this.closeStream();
      return;
    }
    stream.on('data', (record) => this.opts.onRecord(record));
    if (this.paused) stream.pause();
  }

  private async closeStream(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (!stream) return;
    stream.removeAllListeners('data');
    if (!stream.destroyed) await stream.close().catch(() => {});
    // Only after 'close' does the client forget the stream's topics, which is what makes the
    // next consume() rejoin the group instead of reusing a membership that may be gone.
    if (!stream.closed) await new Promise<void>((resolve) => stream.once('close', () => resolve()));
  }
}
