import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { MemoryBroker } from '../../src/broker/index.js';
import type { Judge, JudgeRequest, JudgeResult } from '../../src/judge/index.js';
import { createLogger } from '../../src/log/logger.js';
import { Metrics } from '../../src/metrics/Metrics.js';
import { SqliteStore } from '../../src/store/index.js';
import { WorkerPool } from '../../src/worker/index.js';
import { RESULT, submission } from '../store/contract.js';
import { gate, sleep, until } from '../helpers/wait.js';

/**
 * The pool over a real SQLite store and the in-process queue; only the judge is scripted, so a
 * run can be held open while the test looks at what the pool did around it.
 */
describe('WorkerPool', () => {
  let dir: string;
  let store: SqliteStore;
  let broker: MemoryBroker;
  const events: string[] = [];
  const holds = new Map<string, { promise: Promise<void>; open: () => void }>();

  const judge = {
    async judge(request: JudgeRequest): Promise<JudgeResult> {
      const id = request.stdin.toString('utf8');
      events.push(`judge ${id}`);
      await holds.get(id)?.promise;
      return RESULT;
    },
  } as unknown as Judge;

  function pool(slots: number): WorkerPool {
    return new WorkerPool({
      store,
      broker,
      judge,
      metrics: new Metrics(() => 0),
      log: createLogger('silent'),
      workerId: 'w1',
      concurrency: slots,
      leaseMs: 60_000,
      onFinished: (id) => events.push(`finished ${id}`),
    });
  }

  /** A submission whose stdin is its id, so the scripted judge knows which one it runs. */
  async function queue(...ids: string[]): Promise<void> {
    for (const id of ids) await store.insert(submission(id, Date.now(), { stdin: Buffer.from(id) }));
    await broker.publish(ids.map((id) => ({ id })));
  }

  function hold(id: string): () => void {
    const g = gate();
    holds.set(id, g);
    return g.open;
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-test-'));
    store = SqliteStore.open(dir);
    broker = new MemoryBroker({ retryDelayMs: 50 });
    events.length = 0;
    holds.clear();
  });

  afterEach(async () => {
    for (const g of holds.values()) g.open();
    await broker.stop(1000);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a submission waiting for a slot stays queued, then starts before the previous result is stored', async () => {
    const releaseA = hold('a');
    const workers = pool(1);
    workers.start();
    await queue('a', 'b');
    await until('a runs', () => events.includes('judge a'));
    await sleep(50);
    assert.deepEqual(events, ['judge a'], 'b is not judged while the only slot is busy');
    assert.equal((await store.get('b'))?.status, 'queued', 'b is fetched ahead but not claimed');
    releaseA();
    await until('both finished', () => events.includes('finished a') && events.includes('finished b'));
    assert.ok(events.indexOf('judge b') < events.indexOf('finished a'), `b started before a's result was stored: ${events.join(', ')}`);
    assert.equal((await store.get('a'))?.status, 'finished');
    assert.equal((await store.get('b'))?.status, 'finished');
    await workers.stop(1000);
  });

  test('stopping: the run in flight finishes and is stored; the submission fetched ahead is not claimed', async () => {
    const releaseA = hold('a');
    const workers = pool(1);
    workers.start();
    await queue('a', 'b');
    await until('a runs', () => events.includes('judge a'));
    const stopped = workers.stop(5000);
    releaseA();
    await stopped;
    assert.deepEqual(events, ['judge a', 'finished a']);
    assert.equal((await store.get('a'))?.status, 'finished');
    assert.equal((await store.get('b'))?.status, 'queued', 'left for the next start (or another worker) to run');
  });

  test('never more runs at once than slots', async () => {
    const open = ['a', 'b', 'c', 'd'].map((id) => hold(id));
    const workers = pool(2);
    workers.start();
    await queue('a', 'b', 'c', 'd');
    await until('two run', () => events.filter((e) => e.startsWith('judge')).length === 2);
    await sleep(50);
    assert.deepEqual(events, ['judge a', 'judge b']);
    for (const o of open) o();
    await until('all finished', () => events.filter((e) => e.startsWith('finished')).length === 4);
    await workers.stop(1000);
  });
});
