import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FinishedListener, PostgresStore, type SubmissionStatus } from '../../../src/store/index.js';
import { startPostgres } from '../../helpers/postgres.js';
import { RESULT, submission } from '../contract.js';


test('postgres: a claim and a result each notify the listener when they commit, and only then', async () => {
  const cluster = await startPostgres();
  const store = await PostgresStore.open(cluster.url);
  const heard: Array<[string, SubmissionStatus]> = [];
  let connected = false;
  const listener = new FinishedListener({
    url: cluster.url,
    onFinished: (id) => heard.push([id, 'finished']),
    onStatus: (id, status) => heard.push([id, status]),
    onState: (up) => (connected = up),
  });
  const until = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(cond(), JSON.stringify(heard));
  };
  try {
    listener.start();
    await until(() => connected);
    await store.insert(submission('a'));
    const claimed = await store.claim('a', 'w1', 30_000, 10_000);
    assert.equal(claimed?.status, 'running');
    assert.equal(await store.claim('a', 'w2', 30_000, 10_001), null, 'a refused claim');
    await until(() => heard.length === 1);
    assert.equal(await store.finish('a', 'w1', RESULT, 11_000), true);
    await until(() => heard.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(heard, [['a', 'running'], ['a', 'finished']], 'the refused claim announced nothing');
  } finally {
    await listener.stop();
    await store.close();
    cluster.stop();
  }
});
