import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { StoreLocked } from '../../../src/store/errors.js';
import { SqliteStore } from '../../../src/store/sqlite/SqliteStore.js';
import { LEASE, submission } from '../contract.js';

/** What only the embedded store does: one process per data dir, and data that survives a reopen. (The behaviour every store shares is in test/store/contract.ts.) */
let dataDir: string;
let store: SqliteStore;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-store-test-'));
  store = SqliteStore.open(dataDir);
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});


describe('SqliteStore open and close', () => {
  test('a second open of the same data dir while the first is open throws StoreLocked', async () => {
    await store.insert(submission('s'));
    assert.throws(() => SqliteStore.open(dataDir), (err: unknown) => {
      assert.ok(err instanceof StoreLocked, `expected StoreLocked, got ${String(err)}`);
      assert.equal(err.code, 'store_locked');
      assert.ok(err.message.includes(dataDir), err.message);
      return true;
    });
    // The first store still works after the failed open.
    await store.ping();
    assert.equal((await store.get('s'))?.status, 'queued');
  });

  test('after close the data dir can be opened again and the data survived', async () => {
    await store.insert(submission('kept', 7));
    await store.claim('kept', 'w', LEASE, 1);
    await store.close();
    await store.close(); // idempotent
    store = SqliteStore.open(dataDir);
    const got = await store.get('kept');
    assert.ok(got);
    assert.equal(got.status, 'running');
    assert.deepEqual(got.stdin, submission('kept').stdin);
    assert.deepEqual(await store.listUnfinished(10), ['kept']);
  });

  test('a closed store rejects queries', async () => {
    await store.close();
    await assert.rejects(store.ping());
    await assert.rejects(store.get('x'));
  });
});
