import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Broker, SubmissionMessage } from '../../src/broker/index.js';
import { Sweeper } from '../../src/cdc/index.js';
import { PostgresStore } from '../../src/store/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { RESULT, submission } from '../store/contract.js';
import { recordingMetrics } from './metrics.js';

const STALE_MS = 10_000;
const LEASE_MS = 5_000;

class RecordingBroker implements Pick<Broker, 'publish'> {
  readonly batches: string[][] = [];
  failing = false;
  async publish(messages: readonly SubmissionMessage[]): Promise<void> {
    if (this.failing) throw new Error('broker down');
    this.batches.push(messages.map((m) => m.id));
  }
}

describe('Sweeper with a real PostgreSQL', () => {
  let cluster: TestPostgres;
  let store: PostgresStore;
  // A clock the test moves: the store compares the same epoch milliseconds it was given.
  const T = 1_700_000_000_000;
  let clock = T;

  before(async () => {
    cluster = await startPostgres();
    store = await PostgresStore.open(cluster.url);
    await store.insert(submission('queued-too-long', T - 2 * STALE_MS));
    await store.insert(submission('queued-recently', T - 1_000));
    await store.insert(submission('lease-expired', T - 2 * STALE_MS));
    assert.ok(await store.claim('lease-expired', 'dead-worker', LEASE_MS, T - 2 * LEASE_MS));
    await store.insert(submission('lease-live', T - 2 * STALE_MS));
    assert.ok(await store.claim('lease-live', 'live-worker', 10 * STALE_MS, T - 1_000));
    await store.insert(submission('finished', T - 2 * STALE_MS));
    assert.ok(await store.claim('finished', 'w', LEASE_MS, T - STALE_MS));
    assert.ok(await store.finish('finished', 'w', RESULT, T - STALE_MS + 10));
  });

  after(async () => {
    await store.close();
    cluster.stop();
  });

  test('republishes rows queued too long and rows whose lease expired, nothing else', async () => {
    clock = T;
    const broker = new RecordingBroker();
    const metrics = recordingMetrics();
    const sweeper = new Sweeper({ store, broker, sweepIntervalMs: 60_000, staleAfterMs: STALE_MS, metrics, now: () => clock });
    assert.equal(await sweeper.sweepOnce(), 2);
    assert.deepEqual(broker.batches.flat().sort(), ['lease-expired', 'queued-too-long']);
    assert.equal(metrics.republishedCount, 2);

    // Just republished: not again until another stale interval passed, then again if still stranded.
    clock = T + 1_000;
    assert.equal(await sweeper.sweepOnce(), 0);
    clock = T + STALE_MS + 1_000;
    assert.equal(await sweeper.sweepOnce(), 3, 'queued-recently has become stale meanwhile');
    assert.deepEqual(broker.batches[1].sort(), ['lease-expired', 'queued-recently', 'queued-too-long']);
  });

  test('runs every interval once started, reports a failing broker, recovers, and stops cleanly', { timeout: 20_000 }, async () => {
    clock = T;
    const broker = new RecordingBroker();
    broker.failing = true;
    const metrics = recordingMetrics();
    const sweeper = new Sweeper({ store, broker, sweepIntervalMs: 50, staleAfterMs: STALE_MS, metrics, now: () => clock });
    try {
      await sweeper.start();
      const deadline = Date.now() + 10_000;
      while (sweeper.status().lastError === null && Date.now() < deadline) await sleep(10);
      assert.equal(sweeper.status().lastError?.code, 'cdc_sweep_failed');
      assert.equal(sweeper.ready(), false);
      assert.ok(metrics.failures.includes('cdc_sweep_failed'));

      broker.failing = false;
      while (broker.batches.length === 0 && Date.now() < deadline) await sleep(10);
      assert.deepEqual(broker.batches[0].sort(), ['lease-expired', 'queued-too-long']);
      while (!sweeper.ready() && Date.now() < deadline) await sleep(10);
      assert.equal(sweeper.ready(), true);
    } finally {
      await sweeper.stop();
    }
    const batches = broker.batches.length;
    clock = T + 10 * STALE_MS;
    await sleep(200);
    assert.equal(broker.batches.length, batches, 'no sweep after stop');
    assert.equal(sweeper.status().state, 'stopped');
  });
});
