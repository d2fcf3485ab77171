import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { SubmissionMessage } from '../../../src/broker/Broker.js';
import { MemoryBroker, type MemoryBrokerOptions } from '../../../src/broker/memory/MemoryBroker.js';

/** The in-process queue: how many submissions run at once, and that none is lost. */
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function messages(n: number, prefix = 'm'): SubmissionMessage[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));
}

/** Every broker a test makes is stopped afterwards, even when the test fails, so no retry timer outlives it. */
const brokers: MemoryBroker[] = [];
function makeBroker(opts: MemoryBrokerOptions): MemoryBroker {
  const broker = new MemoryBroker(opts);
  brokers.push(broker);
  return broker;
}

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.stop(0)));
});

/** Resolves once `cond` holds, polling; fails after `ms`. */
async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(2);
  }
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('MemoryBroker', () => {
  test('never runs more than `concurrency` handlers at once, and handles every message', async () => {
    const broker = makeBroker({ retryDelayMs: 10 });
    let running = 0;
    let maxRunning = 0;
    const handled: string[] = [];
    broker.consume(async (m) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await sleep(5 + (Number(m.id.slice(1)) % 3) * 3);
      running--;
      handled.push(m.id);
    }, 3);
    await broker.publish(messages(12));
    await broker.publish(messages(8, 'n'));
    await until(() => handled.length === 20);
    assert.equal(maxRunning, 3);
    assert.deepEqual([...handled].sort(), [...messages(12), ...messages(8, 'n')].map((m) => m.id).sort());
    assert.equal(broker.depth(), 0);
    await broker.stop(100);
  });

  test('messages published before consume are delivered once it starts, in order with concurrency 1', async () => {
    const broker = makeBroker({ retryDelayMs: 10 });
    await broker.publish(messages(5));
    const handled: string[] = [];
    broker.consume(async (m) => {
      handled.push(m.id);
    }, 1);
    await until(() => handled.length === 5);
    assert.deepEqual(handled, ['m0', 'm1', 'm2', 'm3', 'm4']);
    await broker.stop(100);
  });

  test('a handler that throws gets the message again after retryDelayMs, and onHandlerError is called', async () => {
    const retryDelayMs = 60;
    const errors: Array<[string, unknown]> = [];
    const broker = makeBroker({ retryDelayMs, onHandlerError: (m, err) => errors.push([m.id, err]) });
    const deliveries: Array<[string, number]> = [];
    const boom = new Error('store unavailable');
    broker.consume(async (m) => {
      deliveries.push([m.id, Date.now()]);
      if (m.id === 'flaky' && deliveries.filter(([id]) => id === 'flaky').length === 1) throw boom;
    }, 2);
    await broker.publish([{ id: 'flaky' }, { id: 'fine' }]);
    await until(() => deliveries.filter(([id]) => id === 'flaky').length === 2);
    assert.deepEqual(errors, [['flaky', boom]]);
    const [first, second] = deliveries.filter(([id]) => id === 'flaky').map(([, t]) => t);
    assert.ok(second - first >= retryDelayMs - 5, `redelivered after ${second - first} ms, expected about ${retryDelayMs}`);
    assert.equal(deliveries.filter(([id]) => id === 'fine').length, 1, 'a successful message is not redelivered');
    await until(() => broker.depth() === 0);
    await broker.stop(100);
  });

  test('a failed message counts in depth while it waits for its retry', async () => {
    const broker = makeBroker({ retryDelayMs: 5000 });
    let calls = 0;
    broker.consume(async () => {
      calls++;
      throw new Error('fail');
    }, 1);
    await broker.publish([{ id: 'x' }]);
    await until(() => calls === 1);
    await sleep(5);
    // Broker.depth() is documented as "messages published and not yet handled".
    assert.equal(broker.depth(), 1, 'a message waiting for redelivery is still unhandled');
  });

  test('stop(graceMs) waits for in-flight handlers to finish', async () => {
    const broker = makeBroker({ retryDelayMs: 10 });
    let finished = 0;
    let started = 0;
    broker.consume(async () => {
      started++;
      await sleep(80);
      finished++;
    }, 2);
    await broker.publish(messages(4));
    await until(() => started === 2);
    const t0 = Date.now();
    await broker.stop(5000);
    assert.equal(finished, 2, 'both in-flight handlers completed before stop resolved');
    assert.ok(Date.now() - t0 < 4000, 'stop returned as soon as handlers finished, not at the grace deadline');
    await sleep(120);
    assert.equal(started, 2, 'no new message is delivered after stop');
  });

  test('stop(graceMs) gives up on a handler that outlives the grace period', async () => {
    const broker = makeBroker({ retryDelayMs: 10 });
    const held = gate();
    let started = false;
    broker.consume(async () => {
      started = true;
      await held.promise;
    }, 1);
    await broker.publish([{ id: 'slow' }]);
    await until(() => started);
    const t0 = Date.now();
    await broker.stop(50);
    const waited = Date.now() - t0;
    assert.ok(waited >= 45 && waited < 1000, `stop waited ${waited} ms for a 50 ms grace`);
    held.open();
  });

  test('publish after stop delivers nothing', async () => {
    const broker = makeBroker({ retryDelayMs: 10 });
    let calls = 0;
    broker.consume(async () => {
      calls++;
    }, 1);
    await broker.stop(10);
    await broker.publish(messages(3));
    await sleep(20);
    assert.equal(calls, 0);
  });

  test('depth counts queued and in-flight messages until they are handled', async () => {
    const broker = makeBroker({ retryDelayMs: 10 });
    assert.equal(broker.depth(), 0);
    await broker.publish(messages(3));
    assert.equal(broker.depth(), 3, 'queued before anyone consumes');
    const held = gate();
    let started = 0;
    broker.consume(async () => {
      started++;
      await held.promise;
    }, 1);
    await until(() => started === 1);
    assert.equal(broker.depth(), 3, 'one in flight and two queued');
    held.open();
    await until(() => started === 3);
    await until(() => broker.depth() === 0);
    await broker.stop(100);
  });
});
