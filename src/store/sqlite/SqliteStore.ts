import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { JudgeResult } from '../../judge/index.js';
import type { NewSubmission, Store, Submission } from '../Store.js';
import { StoreLocked, StoreUnavailable } from '../errors.js';
import { migrate } from './migrate.js';
import { fromRow, toInsertParams, toResultParams, type SubmissionRow } from '../rows.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * The embedded store for one machine. One process owns the database file at a time (an
 * exclusive lock taken at open), which is what lets a restart safely requeue every submission
 * left running. An insert resolves only once its row is on disk, so it survives power loss.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmts;
  private walHandle: fs.promises.FileHandle | null = null;
  private walSync: Promise<void> | null = null;

  private constructor(
    db: Database.Database,
    private readonly file: string,
  ) {
    this.db = db;
    this.stmts = {
      insert: db.prepare(`INSERT INTO submissions (id, status, language, files_json, stdin, args_json, compile_options_json, expected_output, limits_json, options_json, created_at)
        VALUES (@id, 'queued', @language, @files_json, @stdin, @args_json, @compile_options_json, @expected_output, @limits_json, @options_json, @created_at)`),
      get: db.prepare('SELECT * FROM submissions WHERE id = ?'),
      claim: db.prepare(`UPDATE submissions SET status = 'running', claimed_by = @worker, lease_until = @lease_until,
          attempts = attempts + 1, started_at = @now
        WHERE id = @id AND (status = 'queued' OR (status = 'running' AND lease_until < @now)) RETURNING *`),
      finish: db.prepare(`UPDATE submissions SET status = 'finished', finished_at = @now, claimed_by = NULL, lease_until = NULL,
          verdict = @verdict, verdict_detail = @verdict_detail, exit_code = @exit_code, signal = @signal,
          cpu_time_ms = @cpu_time_ms, wall_time_ms = @wall_time_ms, memory_kb = @memory_kb,
          stdout = @stdout, stderr = @stderr, compile_output = @compile_output, message = @message, tests_json = @tests_json
        WHERE id = @id AND status = 'running' AND claimed_by = @worker`),
      renew: db.prepare(`UPDATE submissions SET lease_until = @lease_until WHERE id = @id AND status = 'running' AND claimed_by = @worker`),
      stranded: db.prepare(`SELECT id FROM submissions
        WHERE (status = 'queued' AND created_at < @queued_before) OR (status = 'running' AND lease_until < @now)
        ORDER BY created_at, id LIMIT @limit`),
      release: db.prepare(`UPDATE submissions SET status = 'queued', claimed_by = NULL, lease_until = NULL
        WHERE id = ? AND status = 'running' AND claimed_by = ?`),
      requeueRunning: db.prepare(`UPDATE submissions SET status = 'queued', claimed_by = NULL, lease_until = NULL WHERE status = 'running'`),
      unfinished: db.prepare(`SELECT id FROM submissions WHERE status <> 'finished' ORDER BY created_at, id LIMIT ?`),
      unfinishedCount: db.prepare("SELECT COUNT(*) AS n FROM submissions WHERE status <> 'finished'"),
      ping: db.prepare('SELECT 1'),
    };
  }

  static open(dataDir: string): SqliteStore {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, 'verdict.db');
    let db: Database.Database;
    try {
      db = new Database(file, { timeout: 0 });
    } catch (err) {
      throw new StoreUnavailable(`cannot open the database ${file}: ${(err as Error).message}`, err);
    }
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      // Claims and results commit without waiting for the disk: losing one to a power cut only
      // means the submission runs again. Inserts wait for an fsync of the WAL (see insert).
      db.pragma('synchronous = NORMAL');
      // Takes the exclusive lock now, so a second process on the same data dir fails at start.
      db.exec('BEGIN IMMEDIATE; COMMIT');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') {
        throw new StoreLocked(`the database ${file} is in use by another Verdict process; stop it or use another --data-dir`, err);
      }
      throw new StoreUnavailable(`cannot open the database ${file}: ${(err as Error).message}`, err);
    }
    migrate(db, MIGRATIONS_DIR);
    return new SqliteStore(db, file);
  }

  /**
   * Resolves once the row is on disk. The commit itself does not wait for the disk
   * (synchronous=NORMAL); the WAL file is then fsynced in the thread pool, which is exactly what
   * synchronous=FULL would do at commit, without stalling the event loop, and concurrent inserts
   * share one fsync. A checkpoint in between syncs the WAL first, so the row is durable either way.
   * The commit is visible at once, so `onCommitted` is called before the fsync.
   */
  async insert(s: NewSubmission, onCommitted?: () => void): Promise<void> {
    this.stmts.insert.run(toInsertParams(s));
    onCommitted?.();
    await this.syncWal();
  }

  private syncWal(): Promise<void> {
    this.walSync ??= (async () => {
      // Everything committed before this fsync starts is covered by it.
      await Promise.resolve();
      this.walHandle ??= await fs.promises.open(`${this.file}-wal`, 'r');
      await this.walHandle.sync();
    })().finally(() => {
      this.walSync = null;
    });
    return this.walSync;
  }

  async get(id: string): Promise<Submission | null> {
    const row = this.stmts.get.get(id) as SubmissionRow | undefined;
    return row ? fromRow(row) : null;
  }

  async claim(id: string, workerId: string, leaseMs: number, now: number): Promise<Submission | null> {
    const row = this.stmts.claim.get({ id, worker: workerId, lease_until: now + leaseMs, now }) as SubmissionRow | undefined;
    return row ? fromRow(row) : null;
  }

  async finish(id: string, workerId: string, result: JudgeResult, now: number): Promise<boolean> {
    return this.stmts.finish.run({ id, worker: workerId, now, ...toResultParams(result) }).changes === 1;
  }

  async renew(id: string, workerId: string, leaseMs: number, now: number): Promise<boolean> {
    return this.stmts.renew.run({ id, worker: workerId, lease_until: now + leaseMs }).changes === 1;
  }

  async listStranded(queuedBefore: number, now: number, limit: number): Promise<string[]> {
    return (this.stmts.stranded.all({ queued_before: queuedBefore, now, limit }) as Array<{ id: string }>).map((r) => r.id);
  }

  async release(id: string, workerId: string): Promise<void> {
    this.stmts.release.run(id, workerId);
  }

  async requeueAllRunning(): Promise<number> {
    return this.stmts.requeueRunning.run().changes;
  }

  async listUnfinished(limit: number): Promise<string[]> {
    return (this.stmts.unfinished.all(limit) as Array<{ id: string }>).map((r) => r.id);
  }

  async countUnfinished(): Promise<number> {
    return (this.stmts.unfinishedCount.get() as { n: number }).n;
  }

  async ping(): Promise<void> {
    this.stmts.ping.get();
  }

  async close(): Promise<void> {
    await this.walSync?.catch(() => undefined);
    await this.walHandle?.close();
    this.walHandle = null;
    if (this.db.open) this.db.close();
  }
}
