import { Admin, Producer, ProduceAcks, stringSerializers } from '@platformatic/kafka';
import type { Broker, MessageHandler, SubmissionMessage } from '../Broker.js';
import { BrokerStopped, BrokerUnavailable } from '../errors.js';
import { Dispatcher } from './Dispatcher.js';
import { GroupConsumer } from './GroupConsumer.js';
import { reason, RecordSender } from './RecordSender.js';
import { submissionRecord } from './records.js';
import { backoffMs } from './TimerSet.js';

export interface KafkaBrokerOptions {
  /** `host:port` of brokers to bootstrap from; the rest of the cluster is discovered. */
  readonly brokers: readonly string[];
  /** Where submission ids are published; `<topic>.retry` and `<topic>.dlq` go with it. */
  readonly topic: string;
  readonly groupId: string;
  readonly clientId: string;
  /** Partitions of each topic ensureTopics() creates: the most consumers that can work at once. */
  readonly partitions?: number;
  /** Deliveries of one message, the first included, before it goes to the dead-letter topic. */
  readonly maxAttempts?: number;
  readonly retryDelayMs?: number;
  /** How long the group waits on a silent member before handing its partitions to others. */
  readonly sessionTimeoutMs?: number;
  readonly onHandlerError?: (message: SubmissionMessage, err: unknown) => void;
  /** Trouble talking to Kafka. Reported, then retried: nothing is lost while it lasts. */
  readonly onError?: (err: BrokerUnavailable) => void;
}

const DEFAULTS = { partitions: 8, maxAttempts: 5, retryDelayMs: 5000, sessionTimeoutMs: 10_000 };
/** Per request, with backoffMs between tries: about 8 s, enough to ride out a broker restart. */
const CLIENT_RETRIES = 10;

/**
 * Submission ids through Kafka, at least once. Work is a consumer group over the main and retry
 * topics; a handler's failure re-publishes the id to the retry topic with its attempt count and a
 * not-before time, and after the last attempt to the dead-letter topic, so no message blocks its
 * partition and a poison message ends where an operator can look at it.
 */
export class KafkaBroker implements Broker {
  readonly retryTopic: string;
  readonly deadLetterTopic: string;
  private readonly opts: KafkaBrokerOptions & typeof DEFAULTS;
  private readonly sender: RecordSender;
  private consumer: GroupConsumer | null = null;
  private dispatcher: Dispatcher | null = null;
  private stopping: Promise<void> | null = null;

  constructor(options: KafkaBrokerOptions) {
    this.opts = {
      ...options,
      partitions: options.partitions ?? DEFAULTS.partitions,
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      retryDelayMs: options.retryDelayMs ?? DEFAULTS.retryDelayMs,
      sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULTS.sessionTimeoutMs,
    };
    const { partitions, maxAttempts, retryDelayMs } = this.opts;
    if (!(Number.isInteger(partitions) && partitions >= 1)) throw new RangeError(`partitions must be a positive integer, not ${partitions}`);
    if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new RangeError(`maxAttempts must be a positive integer, not ${maxAttempts}`);
    if (!(retryDelayMs >= 0)) throw new RangeError(`retryDelayMs must not be negative, not ${retryDelayMs}`);
    this.retryTopic = `${options.topic}.retry`;
    this.deadLetterTopic = `${options.topic}.dlq`;
    this.sender = new RecordSender(
      () =>
        new Producer({
          clientId: this.opts.clientId,
          bootstrapBrokers: [...this.opts.brokers],
          idempotent: true,
          acks: ProduceAcks.ALL,
          serializers: stringSerializers,
          retries: CLIENT_RETRIES,
          retryDelay: (_client, _op, attempt) => backoffMs(attempt),
        }),
    );
  }

  /**
   * Creates the main, retry and dead-letter topics unless they exist, and grows any that has
   * fewer partitions than configured; returns once every partition has a leader, so the first
   * publish does not wait out a retry.
   */
  async ensureTopics(): Promise<void> {
    const topics = [this.opts.topic, this.retryTopic, this.deadLetterTopic];
    const admin = new Admin({
      clientId: this.opts.clientId,
      bootstrapBrokers: [...this.opts.brokers],
      retries: CLIENT_RETRIES,
      retryDelay: (_client, _op, attempt) => backoffMs(attempt),
    });
    try {
      const existing = await admin.listTopics();
      const missing = topics.filter((t) => !existing.includes(t));
      if (missing.length > 0) {
        await admin.createTopics({ topics: missing, partitions: this.opts.partitions }).catch((err: unknown) => {
          // Another process creating them at the same moment is success too.
          if (!(err as { findBy?: (k: string, v: unknown) => unknown }).findBy?.('apiId', 'TOPIC_ALREADY_EXISTS')) throw err;
        });
      }
      const metadata = await admin.metadata({ topics, forceUpdate: true });
      const grow = topics.filter((t) => (metadata.topics.get(t)?.partitionsCount ?? 0) < this.opts.partitions);
      if (grow.length > 0) await admin.createPartitions({ topics: grow.map((name) => ({ name, count: this.opts.partitions })) });
      await waitForLeaders(admin, topics);
    } catch (err) {
      throw new BrokerUnavailable(`cannot set up Kafka topics ${topics.join(', ')}: ${reason(err)}`, err);
    } finally {
      // Not closeClient: an admin client's close takes no force flag (a boolean would be taken for its callback).
      await admin.close().catch(() => admin.connections.close().catch(() => {}));
    }
  }

  /** Resolves once Kafka acknowledged every message from all in-sync replicas. */
  async publish(messages: readonly SubmissionMessage[]): Promise<void> {
    if (this.stopping) throw new BrokerStopped('the Kafka broker adapter was stopped');
    await this.sender.send(messages.map((m) => submissionRecord(this.opts.topic, m.id)));
  }

  consume(handler: MessageHandler, concurrency: number): void {
    if (this.stopping) return;
    if (this.consumer) throw new Error('KafkaBroker.consume() may be called once');
    const onError = (err: unknown) =>
      this.opts.onError?.(err instanceof BrokerUnavailable ? err : new BrokerUnavailable(`Kafka: ${reason(err)}`, err));
    const consumer = new GroupConsumer({
      brokers: this.opts.brokers,
      clientId: this.opts.clientId,
      groupId: this.opts.groupId,
      topics: [this.opts.topic, this.retryTopic],
      sessionTimeoutMs: this.opts.sessionTimeoutMs,
      clientRetries: CLIENT_RETRIES,
      onRecord: (record) => dispatcher.accept(record),
      onAssignment: (assigned) => dispatcher.retainPartitions(assigned),
      onError,
    });
    const dispatcher = new Dispatcher({
      handler,
      concurrency,
      maxAttempts: this.opts.maxAttempts,
      retryDelayMs: this.opts.retryDelayMs,
      retryTopic: this.retryTopic,
      deadLetterTopic: this.deadLetterTopic,
      send: (records) => this.sender.send(records),
      commit: (positions) => consumer.commit(positions),
      pauseFetching: () => consumer.pause(),
      resumeFetching: () => consumer.resume(),
      onHandlerError: this.opts.onHandlerError,
      onError,
    });
    this.consumer = consumer;
    this.dispatcher = dispatcher;
    consumer.start();
  }

  depth(): number {
    return this.dispatcher?.depth() ?? 0;
  }

  /**
   * Stops fetching, waits up to `graceMs` for running handlers, commits what they finished, then
   * leaves the group and closes every connection. Idempotent.
   */
  stop(graceMs: number): Promise<void> {
    // No handler starts once stop is called, even while the fetch stream is closing: a worker
    // that is stopping declines what it fetched ahead, which would otherwise come straight back.
    this.dispatcher?.stopDelivering();
    this.stopping ??= (async () => {
      await this.consumer?.stopFetching();
      await this.dispatcher?.drain(graceMs);
      await this.consumer?.close();
      await this.sender.close();
    })();
    return this.stopping;
  }
}

async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const metadata = await admin.metadata({ topics, forceUpdate: true });
    const led = topics.every((t) => metadata.topics.get(t)?.partitions.every((p) => p.leader >= 0));
    if (led) return;
    if (attempt >= 50) throw new Error('partitions still have no leader');
    await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, 200)));
  }
}
