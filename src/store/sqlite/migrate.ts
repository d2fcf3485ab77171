import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { MigrationFailed } from '../errors.js';

/**
 * Applies numbered `NNNN_name.sql` files in order, each in its own transaction that first
 * records itself, so a migration is either wholly applied and recorded or not at all.
 */
export function migrate(db: Database.Database, dir: string): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  const files = fs.readdirSync(dir).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
  let count = 0;
  for (const file of files) {
    const version = Number(file.slice(0, 4));
    if (applied.has(version)) continue;
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    try {
      db.transaction(() => {
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(version, file, Date.now());
        db.exec(sql);
      })();
    } catch (err) {
      throw new MigrationFailed(`migration ${file} failed: ${(err as Error).message}`, err);
    }
    count++;
  }
  return count;
}
