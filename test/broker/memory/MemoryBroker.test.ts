import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { SubmissionMessage } from '../../../src/broker/Broker.js';
import { MemoryBroker, type MemoryBrokerOptions } from '../../../src/broker/memory/MemoryBroker.js';
import { brokerContract } from '../contract.js';
import { sleep, until, gate } from '../../helpers/wait.js';

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

/** The in-process queue of standalone mode, held to the contract every broker meets. */
brokerContract('MemoryBroker', false, async () => ({
  async open(_queue, opts) {
    return new MemoryBroker(opts);
  },
  async close() {},
}));

/** What only an in-process queue does: strict order, queued messages in depth, nothing after stop. */
describe('MemoryBroker', () => {
  test('messages published before consume are delivered once it starts, in order with concurrency 1', async () => {
    const broker = makeBroker({ retryDelayMs: 10 });
    await broker.publish(messages(5));
    const handled: string[] = [];
    broker.consume(async (m) => {
      handled.push(m.id);
    }, 1);
    await until('handled.length === 5', () => handled.length === 5);
    assert.deepEqual(handled, ['m0', 'm1', 'm2', 'm3', 'm4']);
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
    await until('calls === 1', () => calls === 1);
    await sleep(5);
    // Broker.depth() is documented as "messages published and not yet handled".
    assert.equal(broker.depth(), 1, 'a message waiting for redelivery is still unhandled');
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
    await until('started === 1', () => started === 1);
    assert.equal(broker.depth(), 3, 'one in flight and two queued');
    held.open();
    await until('started === 3', () => started === 3);
    await until('broker.depth() === 0', () => broker.depth() === 0);
    await broker.stop(100);
  });
});
