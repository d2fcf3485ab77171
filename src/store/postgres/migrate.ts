import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { MigrationFailed } from '../errors.js';

/** Any constant: concurrent starts (several API replicas) serialise their migrations on it. */
const MIGRATION_LOCK = 7_384_119;

/**
 * Applies numbered `NNNN_name.sql` files in order, each in its own transaction that first
 * records itself, under an advisory lock so that replicas starting together do not race.
 */
export async function migrate(pool: pg.Pool, dir: string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const files = fs.readdirSync(dir).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
    let count = 0;
    for (const file of files) {
      const version = Number(file.slice(0, 4));
      if (applied.has(version)) continue;
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [version, file, Date.now()]);
        await client.query(fs.readFileSync(path.join(dir, file), 'utf8'));
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationFailed(`migration ${file} failed: ${(err as Error).message}`, err);
      }
      count++;
    }
    return count;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
