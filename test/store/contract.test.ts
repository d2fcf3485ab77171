import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PostgresStore, SqliteStore, StoreUnavailable } from '../../src/store/index.js';
import { startPostgres } from '../helpers/postgres.js';
import { storeContract } from './contract.js';

storeContract('sqlite', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-test-store-'));
  const store = SqliteStore.open(dir);
  return { store, close: async () => { await store.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
});

storeContract('postgres', async () => {
  const pg = await startPostgres();
  const store = await PostgresStore.open(pg.url);
  return { store, close: async () => { await store.close(); pg.stop(); } };
});

test('postgres: migrations apply once, even when two processes open the store together', async () => {
  const pg = await startPostgres();
  try {
    const [a, b] = await Promise.all([PostgresStore.open(pg.url), PostgresStore.open(pg.url)]);
    await a.ping();
    await b.ping();
    await a.close();
    await b.close();
  } finally {
    pg.stop();
  }
});

test('postgres: a database that goes away is StoreUnavailable, not a crash', async () => {
  const pg = await startPostgres();
  const store = await PostgresStore.open(pg.url);
  try {
    pg.stop();
    await assert.rejects(() => store.get('x'), StoreUnavailable);
    await assert.rejects(() => store.ping(), StoreUnavailable);
  } finally {
    await store.close();
  }
});
