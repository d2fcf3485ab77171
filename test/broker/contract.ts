import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { HandlerDeclined, type Broker, type MessageHandler, type SubmissionMessage } from '../../src/broker/index.js';
import { sleep, until, gate } from '../helpers/wait.js';

export interface ContractBrokerOptions {
  readonly retryDelayMs: number;
  readonly onHandlerError?: (message: SubmissionMessage, err: unknown) => void;
}

/** A broker adapter prepared for the contract. */
export interface BrokerUnderTest {
  /**
   * A broker over the queue named `queue`. Each test uses its own queue; asking again for the
   * same queue gives another consumer of it (same topic and group), when the adapter is durable.
   */
  open(queue: string, opts: ContractBrokerOptions): Promise<Broker>;
  close(): Promise<void>;
}

function ids(prefix: string, n: number): SubmissionMessage[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));
}

/** Counts every delivery by id, so a duplicate shows as a count above one. */
function recorder(): { handler: MessageHandler; seen: Map<string, number>; order: string[] } {
  const seen = new Map<string, number>();
  const order: string[] = [];
  return {
    seen,
    order,
    handler: async (m) => {
      seen.set(m.id, (seen.get(m.id) ?? 0) + 1);
      order.push(m.id);
    },
  };
}

/**
 * What every Broker adapter guarantees to the API and the workers, run against each with the real
 * thing behind it: no message lost, none handled twice while handlers succeed, concurrency
 * respected, failures retried without holding up other work, and a stop that drains.
 */
/**
 * `durable`: whether messages outlive the broker object that took them (false for an in-process
 * queue); known before setup, because it decides which tests the suite has.
 */
export function brokerContract(name: string, durable: boolean, setup: () => Promise<BrokerUnderTest>): void {
  describe(`${name} broker contract`, () => {
    let sut: BrokerUnderTest;
    let queues = 0;
    /** Every broker a test opens is stopped afterwards, even when the test fails. */
    const opened: Broker[] = [];
    const held: Array<() => void> = [];

    async function open(opts: Partial<ContractBrokerOptions> = {}, queue = `q${++queues}`): Promise<Broker> {
      const broker = await sut.open(queue, { retryDelayMs: 50, ...opts });
      opened.push(broker);
      return broker;
    }

    before(async () => {
      sut = await setup();
    });
    afterEach(async () => {
      for (const release of held.splice(0)) release();
      await Promise.all(opened.splice(0).map((b) => b.stop(0)));
    });
    after(async () => {
      await sut.close();
    });

    test('every published message is handled exactly once when handlers succeed', async () => {
      const broker = await open();
      const r = recorder();
      await broker.publish(ids('early', 10));
      broker.consume(r.handler, 4);
      await broker.publish(ids('late', 15));
      await broker.publish(ids('last', 5));
      await until('all 30 handled', () => r.seen.size === 30);
      await until('depth back to 0', () => broker.depth() === 0);
      await sleep(300);
      assert.deepEqual([...r.seen.keys()].sort(), [...ids('early', 10), ...ids('late', 15), ...ids('last', 5)].map((m) => m.id).sort());
      assert.deepEqual([...r.seen].filter(([, n]) => n > 1), [], 'no message was handled twice');
    });

    test('never runs more than `concurrency` handlers at once', async () => {
      const broker = await open();
      await broker.publish(ids('m', 12));
      let running = 0;
      let maxRunning = 0;
      let handled = 0;
      broker.consume(async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(40);
        running--;
        handled++;
      }, 3);
      await until('all 12 handled', () => handled === 12);
      assert.equal(maxRunning, 3, 'all three slots were used, and never a fourth');
    });

    test('a handler that throws gets the message again after the retry delay; onHandlerError hears of it', async () => {
      const retryDelayMs = 300;
      const errors: Array<[string, unknown]> = [];
      const broker = await open({ retryDelayMs, onHandlerError: (m, err) => errors.push([m.id, err]) });
      const deliveries: Array<[string, number]> = [];
      const boom = new Error('store unavailable');
      broker.consume(async (m) => {
        deliveries.push([m.id, Date.now()]);
        if (m.id === 'flaky' && deliveries.filter(([id]) => id === 'flaky').length === 1) throw boom;
      }, 2);
      await broker.publish([{ id: 'flaky' }, { id: 'fine' }]);
      await until('flaky delivered again', () => deliveries.filter(([id]) => id === 'flaky').length === 2);
      assert.deepEqual(errors, [['flaky', boom]]);
      const [first, second] = deliveries.filter(([id]) => id === 'flaky').map(([, t]) => t);
      assert.ok(second - first >= retryDelayMs - 5, `redelivered after ${second - first} ms, expected at least ${retryDelayMs}`);
      await until('depth back to 0', () => broker.depth() === 0);
      await sleep(200);
      assert.equal(deliveries.filter(([id]) => id === 'fine').length, 1, 'a successful message is not redelivered');
      assert.equal(deliveries.filter(([id]) => id === 'flaky').length, 2, 'a message handled on its retry is not delivered again');
    });

    test('a handler that declines gets the message again at once, with no error reported and no retry delay', async () => {
      const errors: unknown[] = [];
      // A retry delay far longer than the test: a declined message must not wait it out.
      const broker = await open({ retryDelayMs: 60_000, onHandlerError: (_m, err) => errors.push(err) });
      const deliveries: string[] = [];
      broker.consume(async (m) => {
        deliveries.push(m.id);
        if (m.id === 'declined' && deliveries.filter((id) => id === 'declined').length === 1) throw new HandlerDeclined('not now');
      }, 2);
      await broker.publish([{ id: 'declined' }, { id: 'fine' }]);
      await until('declined delivered again', () => deliveries.filter((id) => id === 'declined').length === 2, 20_000);
      await until('depth back to 0', () => broker.depth() === 0);
      await sleep(200);
      assert.deepEqual(errors, []);
      assert.equal(deliveries.filter((id) => id === 'declined').length, 2, 'handled on its second delivery, and only then');
      assert.equal(deliveries.filter((id) => id === 'fine').length, 1);
    });

    test('a slow handler does not hold back the other messages', async () => {
      const broker = await open();
      const slow = gate();
      held.push(slow.open);
      let slowRunning = false;
      const r = recorder();
      broker.consume(async (m) => {
        if (m.id === 'slow') {
          slowRunning = true;
          await slow.promise;
        }
        await r.handler(m);
      }, 2);
      await broker.publish([{ id: 'slow' }, ...ids('quick', 20)]);
      await until('the 20 quick messages handled while the slow one runs', () => slowRunning && r.seen.size === 20);
      assert.equal(r.seen.has('slow'), false);
      assert.ok(broker.depth() >= 1, 'the slow message is still counted');
      slow.open();
      await until('the slow message handled', () => r.seen.has('slow') && broker.depth() === 0);
    });

    test('messages published before consume() starts are delivered', async () => {
      const broker = await open();
      await broker.publish(ids('before', 5));
      await sleep(100);
      const r = recorder();
      broker.consume(r.handler, 2);
      await until('all 5 handled', () => r.seen.size === 5);
    });

    test('depth() counts taken messages until they are handled', async () => {
      const broker = await open();
      const release = gate();
      held.push(release.open);
      let started = 0;
      broker.consume(async () => {
        started++;
        await release.promise;
      }, 1);
      await broker.publish(ids('d', 3));
      await until('one running and two waiting', () => started === 1 && broker.depth() === 3);
      release.open();
      await until('all handled', () => started === 3 && broker.depth() === 0);
    });

    test('stop(graceMs) waits for running handlers, then delivers nothing more', async () => {
      const broker = await open();
      let started = 0;
      let finished = 0;
      broker.consume(async () => {
        started++;
        await sleep(150);
        finished++;
      }, 2);
      await broker.publish(ids('s', 6));
      await until('two handlers running', () => started === 2);
      const t0 = Date.now();
      await broker.stop(10_000);
      assert.equal(finished, started, 'every handler that started had finished when stop resolved');
      assert.ok(Date.now() - t0 < 5000, 'stop returned once handlers finished, not at the grace deadline');
      const startedAtStop = started;
      await sleep(300);
      assert.equal(started, startedAtStop, 'no message is delivered after stop');
    });

    test('stop(graceMs) gives up on a handler that outlives the grace period', async () => {
      const broker = await open();
      const release = gate();
      held.push(release.open);
      let started = false;
      broker.consume(async () => {
        started = true;
        await release.promise;
      }, 1);
      await broker.publish([{ id: 'stuck' }]);
      await until('handler running', () => started);
      const t0 = Date.now();
      await broker.stop(100);
      const waited = Date.now() - t0;
      assert.ok(waited >= 95 && waited < 5000, `stop waited ${waited} ms for a 100 ms grace`);
    });

    // Only a durable adapter has this property: the in-memory queue keeps nothing once stopped
    // (the store republishes unfinished work when the process starts again), so its suite does
    // not contain this test rather than skipping it.
    if (durable) test('another consumer of the queue gets what a stopped one left unhandled, and nothing it handled', async () => {
      const queue = `q${++queues}`;
      const first = await open({}, queue);
      const stuck = gate();
      held.push(stuck.open);
      const r1 = recorder();
      let heldStarted = false;
      first.consume(async (m) => {
        if (m.id === 'held') {
          heldStarted = true;
          await stuck.promise;
        }
        await r1.handler(m);
      }, 2);
      await first.publish(ids('done', 6));
      await until('the first consumer handled its 6', () => r1.seen.size === 6);
      // Published after the others are handled, so no handled message follows it in a partition.
      await first.publish([{ id: 'held' }]);
      await until('held running', () => heldStarted);
      await first.stop(50);

      const second = await open({}, queue);
      const r2 = recorder();
      await second.publish(ids('later', 3));
      second.consume(r2.handler, 2);
      await until('held and the 3 later ones delivered', () => r2.seen.size === 4);
      await sleep(500);
      assert.deepEqual([...r2.seen.keys()].sort(), ['held', 'later0', 'later1', 'later2'], 'nothing the first consumer handled came back');
      await second.stop(1000);

      const third = await open({}, queue);
      const r3 = recorder();
      third.consume(r3.handler, 2);
      await third.publish([{ id: 'probe' }]);
      await until('a new message reaches the third consumer', () => r3.seen.has('probe'));
      await sleep(300);
      assert.deepEqual([...r3.seen.keys()], ['probe'], 'once everything was handled, nothing is delivered again');
    });
  });
}
