import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { Admin, Consumer, stringDeserializers } from '@platformatic/kafka';
import { BrokerUnavailable, KafkaBroker, type KafkaBrokerOptions, type SubmissionMessage } from '../../../src/broker/index.js';
import { startKafka, type TestKafka } from '../../helpers/kafka.js';
import { brokerContract } from '../contract.js';
import { sleep, until } from '../../helpers/wait.js';

/** Kafka through the adapter, against a real single-node broker started for this file. */

function ids(prefix: string, n: number): SubmissionMessage[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));
}

/** Reads the first record of a topic with a plain client: what an operator would find there. */
async function firstRecord(brokers: string, topic: string) {
  const consumer = new Consumer({ clientId: 'verdict-test-reader', groupId: `reader-${topic}`, bootstrapBrokers: [brokers], deserializers: stringDeserializers });
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const record = await new Promise<{ key: string; value: string; headers: Map<string, string> }>((resolve, reject) => {
      stream.once('data', resolve);
      stream.once('error', reject);
    });
    await stream.close();
    return record;
  } finally {
    await consumer.close(true);
  }
}

describe('KafkaBroker', () => {
  let kafka: TestKafka;
  let queues = 0;
  const opened: KafkaBroker[] = [];

  function make(over: Partial<KafkaBrokerOptions> = {}, queue = `k${++queues}`): KafkaBroker {
    const broker = new KafkaBroker({ brokers: [kafka.brokers], topic: `verdict-${queue}`, groupId: `workers-${queue}`, clientId: 'verdict-test', ...over });
    opened.push(broker);
    return broker;
  }

  before(async () => {
    kafka = await startKafka();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((b) => b.stop(0)));
  });
  after(async () => {
    await Promise.all(opened.splice(0).map((b) => b.stop(0)));
    await kafka?.stop();
  });

  brokerContract('KafkaBroker', true, async () => ({
    async open(queue, opts) {
      const broker = make({ retryDelayMs: opts.retryDelayMs, onHandlerError: opts.onHandlerError }, `contract-${queue}`);
      await broker.ensureTopics();
      return broker;
    },
    async close() {},
  }));

  test('ensureTopics creates the main, retry and dead-letter topics with the configured partitions, and may run again', async () => {
    const queue = `k${++queues}`;
    const broker = make({ partitions: 3 }, queue);
    await broker.ensureTopics();
    await broker.ensureTopics();
    const admin = new Admin({ clientId: 'verdict-test-admin', bootstrapBrokers: [kafka.brokers] });
    try {
      const topics = [`verdict-${queue}`, broker.retryTopic, broker.deadLetterTopic];
      assert.deepEqual(topics.slice(1), [`verdict-${queue}.retry`, `verdict-${queue}.dlq`]);
      const metadata = await admin.metadata({ topics });
      assert.deepEqual(topics.map((t) => metadata.topics.get(t)?.partitionsCount), [3, 3, 3]);
    } finally {
      await admin.close();
    }
  });

  test('a message that keeps failing goes to the dead-letter topic after maxAttempts, and holds up nothing', async () => {
    const failures: string[] = [];
    const broker = make({ maxAttempts: 3, retryDelayMs: 100, onHandlerError: (m) => failures.push(m.id) });
    await broker.ensureTopics();
    const handled = new Set<string>();
    broker.consume(async (m) => {
      if (m.id === 'poison') throw new Error('compiler crashed');
      handled.add(m.id);
    }, 2);
    await broker.publish([{ id: 'poison' }, ...ids('ok', 5)]);
    await until('three attempts and the others handled', () => failures.length === 3 && handled.size === 5 && broker.depth() === 0);
    const record = await firstRecord(kafka.brokers, broker.deadLetterTopic);
    assert.equal(record.key, 'poison');
    assert.deepEqual(JSON.parse(record.value), { id: 'poison' });
    assert.equal(record.headers.get('verdict-attempt'), '3');
    assert.equal(record.headers.get('verdict-error'), 'compiler crashed');
    await sleep(500);
    assert.deepEqual(failures, ['poison', 'poison', 'poison'], 'no fourth attempt');
  });

  test('a broker restart loses nothing: work taken before it, published during it and published after it is all handled', async () => {
    const errors: unknown[] = [];
    const queue = `k${++queues}`;
    const broker = make({ retryDelayMs: 100, onError: (err) => errors.push(err) }, queue);
    await broker.ensureTopics();
    const handled = new Set<string>();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let heldRunning = 0;
    broker.consume(async (m) => {
      if (m.id.startsWith('held')) {
        heldRunning++;
        await held;
      }
      handled.add(m.id);
    }, 4);
    const publishFailures: unknown[] = [];
    const publish = async (messages: SubmissionMessage[]) => {
      for (;;) {
        try {
          return await broker.publish(messages);
        } catch (err) {
          publishFailures.push(err);
          await sleep(200);
        }
      }
    };

    await publish(ids('before', 10));
    await until('the first 10 handled', () => handled.size === 10);
    await publish(ids('held', 4));
    await until('every slot busy', () => heldRunning === 4);
    await publish(ids('waiting', 10)); // taken, but no slot is free to run them
    await kafka.halt();
    const during = publish(ids('during', 10));
    await sleep(1000);
    release(); // finished while Kafka is away: their commits must wait for it
    // Longer than the client's own retries (about 8 s), so the adapter's reconnecting is what recovers.
    await sleep(9000);
    await kafka.resume();
    await during;
    await publish(ids('after', 10));

    const all = [...ids('before', 10), ...ids('held', 4), ...ids('waiting', 10), ...ids('during', 10), ...ids('after', 10)].map((m) => m.id);
    await until('every message handled', () => all.every((id) => handled.has(id)), 30_000);
    assert.ok(publishFailures.length > 0, 'publishing failed while Kafka was down');
    for (const err of [...publishFailures, ...errors]) assert.ok(err instanceof BrokerUnavailable, `reported as BrokerUnavailable: ${String(err)}`);
    await until('nothing left to handle', () => broker.depth() === 0);
    await broker.stop(1000);

    const next = make({}, queue);
    const redelivered: string[] = [];
    next.consume(async (m) => {
      redelivered.push(m.id);
    }, 2);
    await next.publish([{ id: 'probe' }]);
    await until('the next consumer is running', () => redelivered.includes('probe'));
    await sleep(300);
    assert.deepEqual(redelivered, ['probe'], 'what was handled across the restart stayed committed');
  });

  test('a stopped adapter leaves no socket or timer behind', async () => {
    const count = () => {
      const kinds = process.getActiveResourcesInfo();
      return kinds.filter((k) => k === 'TCPSocketWrap' || k === 'Timeout').length;
    };
    const baseline = count();
    const broker = make();
    await broker.ensureTopics();
    let handled = 0;
    broker.consume(async () => {
      handled++;
    }, 2);
    await broker.publish(ids('x', 3));
    await until('all handled', () => handled === 3);
    assert.ok(count() > baseline, 'the adapter had connections open');
    await broker.stop(1000);
    await until(`back to ${baseline} sockets and timers`, () => count() <= baseline, 3000);
  });
});
