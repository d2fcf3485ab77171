import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { PostgresStore, SqliteStore, StoreUnavailable } from '../../src/store/index.js';
import { startPostgres } from '../helpers/postgres.js';
import { storeContract } from './contract.js';

storeContract('sqlite', async () => {
  let dir = '';
  const sut = {
    store: null as unknown as SqliteStore,
    async reset() {
      if (dir) {
        await sut.store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-test-store-'));
      sut.store = SqliteStore.open(dir);
    },
    async close() {
      await sut.store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return sut;
});

storeContract('postgres', async () => {
  const cluster = await startPostgres();
  const store = await PostgresStore.open(cluster.url);
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  return {
    store,
    reset: async () => {
      await admin.query('TRUNCATE submissions');
    },
    async close() {
      await admin.end();
      await store.close();
      cluster.stop();
    },
  };
});

test('postgres: migrations apply once, even when two processes open the store together', async () => {
  const cluster = await startPostgres();
  try {
    const [a, b] = await Promise.all([PostgresStore.open(cluster.url), PostgresStore.open(cluster.url)]);
    await a.ping();
    await b.ping();
    await a.close();
    await b.close();
  } finally {
    cluster.stop();
  }
});

test('postgres: a database that goes away is StoreUnavailable, not a crash', async () => {
  const cluster = await startPostgres();
  const store = await PostgresStore.open(cluster.url);
  try {
    cluster.stop();
    await assert.rejects(() => store.get('x'), StoreUnavailable);
    await assert.rejects(() => store.ping(), StoreUnavailable);
  } finally {
    await store.close();
  }
});
