import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { Registry } from 'prom-client';
import { MemoryBroker, type Broker, type SubmissionMessage } from '../../src/broker/index.js';
import { CdcRelay, InvalidRelayOptions, PromRelayMetrics, Sweeper, type CdcRelayOptions } from '../../src/cdc/index.js';
import { parseLsn } from '../../src/cdc/lsn.js';
import { createLogger } from '../../src/log/logger.js';
import { PostgresStore } from '../../src/store/index.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { LIMITS, submission } from '../store/contract.js';
import { recordingMetrics } from './metrics.js';


/** A broker that records what it accepted, and can hold publishes open or fail them on command. */
class RecordingBroker implements Broker {
  readonly ids: string[] = [];
  readonly attempts: string[][] = [];
  private held: { promise: Promise<void>; release: () => void; fail: (err: Error) => void } | null = null;

  hold(): void {
    let release!: () => void;
    let fail!: (err: Error) => void;
    const promise = new Promise<void>((resolve, reject) => {
      release = resolve;
      fail = reject;
    });
    promise.catch(() => undefined);
    this.held = { promise, release, fail };
  }

  release(failWith?: Error): void {
    const held = this.held;
    this.held = null;
    if (failWith) held?.fail(failWith);
    else held?.release();
  }

  async publish(messages: readonly SubmissionMessage[]): Promise<void> {
    this.attempts.push(messages.map((m) => m.id));
    if (this.held) await this.held.promise;
    this.ids.push(...messages.map((m) => m.id));
  }

  has(...ids: string[]): boolean {
    return ids.every((id) => this.ids.includes(id));
  }

  consume(): void {}
  async stop(): Promise<void> {}
  depth(): number {
    return 0;
  }
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The order in which ids first arrived: duplicates are allowed, reordering is not. */
function firstSeen(ids: readonly string[], wanted: readonly string[]): string[] {
  return [...new Set(ids.filter((id) => wanted.includes(id)))];
}

describe('CdcRelay with a real PostgreSQL', () => {
  let cluster: TestPostgres;
  let store: PostgresStore;
  let admin: pg.Client;
  const relays: CdcRelay[] = [];

  before(async () => {
    cluster = await startPostgres();
    store = await PostgresStore.open(cluster.url);
    admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    // Keepalives that demand a reply every second: any premature acknowledgement would show.
    await admin.query(`ALTER SYSTEM SET wal_sender_timeout = '2s'`);
    await admin.query('SELECT pg_reload_conf()');
    await admin.query('CREATE TABLE cdc_other (id TEXT PRIMARY KEY)');
    await admin.query(`CREATE PUBLICATION cdc_test_pub FOR TABLE submissions, cdc_other WITH (publish = 'insert')`);
  });

  after(async () => {
    await Promise.all(relays.map((r) => r.stop()));
    await admin.end();
    await store.close();
    cluster.stop();
  });

  function relay(slot: string, broker: Broker, extra: Partial<CdcRelayOptions> = {}): CdcRelay {
    const r = new CdcRelay({ connectionUrl: cluster.url, slot, broker, backoff: { initialMs: 100, maxMs: 400 }, ...extra });
    relays.push(r);
    return r;
  }

  async function insert(...ids: string[]): Promise<void> {
    for (const id of ids) {
      await store.insert(submission(id, Date.now()));
    }
  }

  /** Several submissions (and a row of an unrelated table) committed together. */
  async function insertInOneTransaction(ids: string[], otherId: string): Promise<void> {
    await admin.query('BEGIN');
    for (const id of ids) {
      await admin.query(
        `INSERT INTO submissions (id, status, language, files_json, stdin, args_json, compile_options_json, limits_json, created_at)
         VALUES ($1, 'queued', 'python3', '[]', '', '[]', '[]', $2, $3)`,
        [id, JSON.stringify(LIMITS), Date.now()],
      );
    }
    await admin.query('INSERT INTO cdc_other (id) VALUES ($1)', [otherId]);
    await admin.query('COMMIT');
  }

  async function confirmedFlush(slot: string): Promise<bigint> {
    const r = await admin.query<{ lsn: string }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    return r.rows[0] ? parseLsn(r.rows[0].lsn) : -1n;
  }

  async function currentWal(): Promise<bigint> {
    const r = await admin.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    return parseLsn(r.rows[0].lsn);
  }

  /** Ends whatever walsender streams from `slot` and drops it; retries while a relay grabs it back. */
  async function dropSlot(slot: string): Promise<void> {
    await waitFor(`slot ${slot} dropped`, async () => {
      await admin.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot]);
      try {
        await admin.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
        return true;
      } catch {
        return false;
      }
    });
  }

  test('rejects a slot name PostgreSQL would not accept', () => {
    assert.throws(() => new CdcRelay({ connectionUrl: cluster.url, slot: 'Bad-Slot', broker: new RecordingBroker() }), InvalidRelayOptions);
  });

  test('rows inserted one by one and several in one transaction all arrive, in commit order', { timeout: 30_000 }, async () => {
    const broker = new MemoryBroker({ retryDelayMs: 10 });
    const seen: string[] = [];
    broker.consume(async (m) => {
      seen.push(m.id);
    }, 1);
    const registry = new Registry();
    const r = relay('cdc_order', broker, { publication: 'cdc_test_pub', metrics: new PromRelayMetrics(registry), logger: createLogger('silent') });
    try {
      await r.start();
      await waitFor('relay ready', () => r.ready());
      const wanted = ['order-a', 'order-b1', 'order-b2', 'order-b3', 'order-c'];
      await insert('order-a');
      await insertInOneTransaction(['order-b1', 'order-b2', 'order-b3'], 'other-1');
      await insert('order-c');
      await waitFor('every id', () => wanted.every((id) => seen.includes(id)));
      assert.deepEqual(firstSeen(seen, wanted), wanted);
      assert.ok(!seen.includes('other-1'), 'rows of other tables are not published');

      // A transaction without submissions is acknowledged too, so the slot does not hold its WAL.
      await admin.query('INSERT INTO cdc_other (id) VALUES ($1)', ['other-2']);
      const afterOther = await currentWal();
      await waitFor('slot confirmed past the unrelated transaction', async () => (await confirmedFlush('cdc_order')) >= afterOther);

      const text = await registry.metrics();
      assert.match(text, /^verdict_cdc_published_total [5-9]/m);
      assert.match(text, /^verdict_cdc_connected 1$/m);
      assert.match(text, /^verdict_cdc_replication_lag_seconds \d/m);
    } finally {
      await r.stop();
      await broker.stop(1000);
      await dropSlot('cdc_order');
    }
    assert.equal(r.ready(), false);
  });

  test('nothing is acknowledged before the broker accepts it: a failed publish reconnects and resends', { timeout: 30_000 }, async () => {
    const broker = new RecordingBroker();
    const metrics = recordingMetrics();
    const r = relay('cdc_fail', broker, { metrics });
    try {
      await r.start();
      await waitFor('relay ready', () => r.ready());
      const before = await confirmedFlush('cdc_fail');
      broker.hold();
      await insert('fail-a');
      await waitFor('a publish attempt', () => broker.attempts.some((a) => a.includes('fail-a')));
      // Several keepalives demanding a reply pass while the publish is held open.
      await sleep(2500);
      assert.ok(r.ready(), 'keepalives were answered, the server kept the stream');
      broker.release(new Error('broker down'));
      await waitFor('fail-a accepted after reconnecting', () => broker.has('fail-a'));
      assert.ok(metrics.failures.includes('cdc_publish_failed'));
      assert.ok(broker.attempts.filter((a) => a.includes('fail-a')).length >= 2, 'the server resent the unacknowledged transaction');
      await waitFor('slot confirmed past fail-a', async () => (await confirmedFlush('cdc_fail')) > before);
    } finally {
      broker.release();
      await r.stop();
      await dropSlot('cdc_fail');
    }
  });

  test('stop waits for the publish in flight and acknowledges it', { timeout: 30_000 }, async () => {
    const first = new RecordingBroker();
    const r1 = relay('cdc_drain', first);
    const second = new RecordingBroker();
    const r2 = relay('cdc_drain', second);
    try {
      await r1.start();
      await waitFor('relay ready', () => r1.ready());
      first.hold();
      await insert('drain-a');
      await waitFor('a publish attempt', () => first.attempts.length > 0);
      let stopped = false;
      const stopping = r1.stop().then(() => {
        stopped = true;
      });
      await sleep(200);
      assert.equal(stopped, false, 'stop waits for the broker');
      first.release();
      await stopping;
      assert.ok(first.has('drain-a'));

      await r2.start();
      await waitFor('second relay ready', () => r2.ready());
      await insert('drain-b');
      await waitFor('drain-b', () => second.has('drain-b'));
      assert.ok(!second.has('drain-a'), 'what the stopped relay published was acknowledged');
    } finally {
      first.release();
      await r1.stop();
      await r2.stop();
      await dropSlot('cdc_drain');
    }
  });

  test('a restarted relay delivers rows inserted while it was down, and not those it acknowledged', { timeout: 30_000 }, async () => {
    const first = new RecordingBroker();
    const second = new RecordingBroker();
    const r1 = relay('cdc_restart', first);
    const r2 = relay('cdc_restart', second);
    try {
      await r1.start();
      await waitFor('relay ready', () => r1.ready());
      const before = await confirmedFlush('cdc_restart');
      await insert('restart-a');
      await waitFor('restart-a', () => first.has('restart-a'));
      await waitFor('slot confirmed past restart-a', async () => (await confirmedFlush('cdc_restart')) > before);
      await r1.stop();

      await insert('restart-b1', 'restart-b2');
      await r2.start();
      await waitFor('rows inserted while down', () => second.has('restart-b1', 'restart-b2'));
      // Commit order: a resent restart-a would have come before restart-b1.
      assert.ok(!second.has('restart-a'));
      assert.deepEqual(firstSeen(second.ids, ['restart-b1', 'restart-b2']), ['restart-b1', 'restart-b2']);
    } finally {
      await r1.stop();
      await r2.stop();
      await dropSlot('cdc_restart');
    }
  });

  test('a dropped slot is recreated, and the sweeper republishes rows inserted while none existed', { timeout: 40_000 }, async () => {
    const viaStream = new RecordingBroker();
    const viaSweeper = new RecordingBroker();
    const metrics = recordingMetrics();
    // A long first backoff leaves a window with no slot at all.
    const r = relay('cdc_dropped', viaStream, { backoff: { initialMs: 1500, maxMs: 3000 } });
    const sweeper = new Sweeper({ store, broker: viaSweeper, sweepIntervalMs: 100, staleAfterMs: 300, metrics });
    try {
      await r.start();
      await sweeper.start();
      await waitFor('relay ready', () => r.ready());
      await insert('dropped-a');
      await waitFor('dropped-a', () => viaStream.has('dropped-a'));

      await dropSlot('cdc_dropped');
      await insert('dropped-gap-1', 'dropped-gap-2');
      await waitFor('relay streaming again', () => r.ready(), 20_000);
      await insert('dropped-c');
      await waitFor('dropped-c through the recreated slot', () => viaStream.has('dropped-c'));
      await waitFor('the gap republished', () => viaSweeper.has('dropped-gap-1', 'dropped-gap-2'));
      assert.ok(!viaStream.has('dropped-gap-1') && !viaStream.has('dropped-gap-2'), 'no slot carried the gap');
      assert.ok(metrics.republishedCount >= 2);
    } finally {
      await sweeper.stop();
      await r.stop();
      await dropSlot('cdc_dropped');
    }
  });

  test('a second relay on the same slot waits, not ready, until the first lets go', { timeout: 30_000 }, async () => {
    const first = new RecordingBroker();
    const second = new RecordingBroker();
    const r1 = relay('cdc_single', first);
    const r2 = relay('cdc_single', second);
    try {
      await r1.start();
      await waitFor('first relay ready', () => r1.ready());
      await r2.start();
      await waitFor('second relay waiting', () => r2.status().state === 'waiting_for_slot');
      assert.equal(r2.ready(), false);
      assert.equal(r2.status().lastError?.code, 'cdc_slot_in_use');
      await insert('single-x');
      await waitFor('single-x through the first relay', () => first.has('single-x'));
      assert.equal(r2.ready(), false);
      assert.ok(!second.has('single-x'));

      await r1.stop();
      await waitFor('second relay takes over', () => r2.ready());
      await insert('single-y');
      await waitFor('single-y through the second relay', () => second.has('single-y'));
    } finally {
      await r1.stop();
      await r2.stop();
      await dropSlot('cdc_single');
    }
  });
  test('a slot invalidated for retaining too much WAL is dropped and recreated', { timeout: 40_000 }, async () => {
    await admin.query(`SELECT pg_create_logical_replication_slot('cdc_lost', 'pgoutput')`);
    await admin.query(`ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'`);
    await admin.query('SELECT pg_reload_conf()');
    let n = 0;
    try {
      await waitFor('slot invalidated', async () => {
        await admin.query('INSERT INTO cdc_other (id) VALUES ($1)', [`lost-${n++}`]);
        await admin.query('SELECT pg_switch_wal()');
        await admin.query('CHECKPOINT');
        const r = await admin.query<{ wal_status: string }>(`SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'cdc_lost'`);
        return r.rows[0].wal_status === 'lost';
      });
    } finally {
      await admin.query('ALTER SYSTEM RESET max_slot_wal_keep_size');
      await admin.query('SELECT pg_reload_conf()');
    }
    const broker = new RecordingBroker();
    const r = relay('cdc_lost', broker);
    try {
      await r.start();
      await waitFor('relay ready on a new slot', () => r.ready());
      await insert('lost-after');
      await waitFor('lost-after', () => broker.has('lost-after'));
      const slot = await admin.query<{ wal_status: string }>(`SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'cdc_lost'`);
      assert.equal(slot.rows[0].wal_status, 'reserved');
    } finally {
      await r.stop();
      await dropSlot('cdc_lost');
    }
  });
});
