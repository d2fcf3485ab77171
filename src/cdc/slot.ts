import pg from 'pg';
import { VerdictError } from '../errors.js';
import { ReplicationFailed, SlotInUse, SlotMisconfigured } from './errors.js';
import { parseLsn, type Lsn } from './lsn.js';
import type { RelayLogger } from './logger.js';

interface SlotRow {
  slot_type: string;
  plugin: string | null;
  same_database: boolean | null;
  active: boolean;
  wal_status: string | null;
  confirmed_flush_lsn: string | null;
}

/** PostgreSQL's SQLSTATEs the preparation tells apart. */
const DUPLICATE_OBJECT = '42710';
const OBJECT_IN_USE = '55006';
const CONFIRM_POLL_MS = 20;

export interface PreparedSlot {
  /** Where the server resumes streaming: everything acknowledged before it is never resent. */
  readonly confirmedFlush: Lsn;
  readonly created: boolean;
}

/**
 * Makes sure `slot` exists as a pgoutput slot of this database and is free, over an ordinary
 * connection. A slot invalidated for retaining too much WAL (wal_status 'lost') can never stream
 * again: it is dropped and recreated, and the sweeper republishes what it would have carried.
 */
export async function prepareSlot(connectionUrl: string, slot: string, connectTimeoutMs: number, log: RelayLogger): Promise<PreparedSlot> {
  const client = new pg.Client({ connectionString: connectionUrl, connectionTimeoutMillis: connectTimeoutMs });
  // A connection dropped while idle surfaces through the next query; it must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    let row = await readSlot(client, slot);
    if (row?.wal_status === 'lost') {
      log.warn({ slot }, 'replication slot was invalidated (too much WAL retained); recreating it, the sweeper republishes what it missed');
      await dropSlot(client, slot);
      row = null;
    }
    let created = false;
    if (!row) {
      created = await createSlot(client, slot);
      if (created) log.info({ slot }, 'created logical replication slot');
      row = await readSlot(client, slot);
      if (!row) throw new ReplicationFailed(`replication slot "${slot}" vanished right after it was created`);
    }
    if (row.slot_type !== 'logical' || row.plugin !== 'pgoutput' || row.same_database !== true) {
      throw new SlotMisconfigured(
        `replication slot "${slot}" exists but is not a pgoutput logical slot of this database (type ${row.slot_type}, plugin ${row.plugin ?? 'none'}); drop it or choose another slot name`,
      );
    }
    if (row.active) throw new SlotInUse(slot);
    if (!row.confirmed_flush_lsn) throw new ReplicationFailed(`replication slot "${slot}" has no confirmed position yet`);
    return { confirmedFlush: parseLsn(row.confirmed_flush_lsn), created };
  } catch (err) {
    if (err instanceof VerdictError) throw err;
    throw new ReplicationFailed(`cannot prepare replication slot "${slot}": ${(err as Error).message}`, err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function readSlot(client: pg.Client, slot: string): Promise<SlotRow | null> {
  const r = await client.query<SlotRow>(
    `SELECT slot_type, plugin, database = current_database() AS same_database, active, wal_status,
            confirmed_flush_lsn::text AS confirmed_flush_lsn
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  return r.rows[0] ?? null;
}

/** False when another relay created it first: both then race for it at START_REPLICATION. */
async function createSlot(client: pg.Client, slot: string): Promise<boolean> {
  try {
    await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === DUPLICATE_OBJECT) return false;
    throw err;
  }
}

async function dropSlot(client: pg.Client, slot: string): Promise<void> {
  try {
    await client.query('SELECT pg_drop_replication_slot($1)', [slot]);
  } catch (err) {
    if ((err as { code?: string }).code === OBJECT_IN_USE) throw new SlotInUse(slot, err);
    throw err;
  }
}

/** The typed error a session ends with; START_REPLICATION refuses a slot another walsender holds with 55006. */
export function asReplicationError(err: unknown, slot: string): Error {
  if (err instanceof VerdictError) return err;
  if ((err as { code?: string } | null)?.code === OBJECT_IN_USE) return new SlotInUse(slot, err);
  const message = err instanceof Error ? err.message : String(err);
  return new ReplicationFailed(`replication stream failed: ${message}`, err);
}

/** Polls the slot until its confirmed_flush_lsn reaches `lsn`; false if it did not within `timeoutMs`. */
export async function waitForConfirmed(connectionUrl: string, slot: string, lsn: Lsn, timeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: connectionUrl, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  const deadline = Date.now() + timeoutMs;
  try {
    await client.connect();
    for (;;) {
      const r = await client.query<{ lsn: string | null }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      const confirmed = r.rows[0]?.lsn;
      if (confirmed && parseLsn(confirmed) >= lsn) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, CONFIRM_POLL_MS));
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
