import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { JudgeResult } from '../../judge/index.js';
import type { NewSubmission, Store, Submission } from '../Store.js';
import { StoreUnavailable } from '../errors.js';
import { fromRow, toInsertParams, toResultParams, type SubmissionRow } from '../rows.js';
import { migrate } from './migrate.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

// BIGINT columns hold epoch milliseconds, well inside a JavaScript number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** A language as a worker found it on its host. */
export interface LanguageReport {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly compiled: boolean;
}

/** NOTIFY channel carrying the id of each submission whose result was just committed. */
export const FINISHED_CHANNEL = 'verdict_finished';

/** NOTIFY channel carrying `id:status` for changes of state other than finishing (a claim). */
export const STATUS_CHANNEL = 'verdict_status';

const INSERT_COLUMNS = ['id', 'language', 'files_json', 'stdin', 'args_json', 'compile_options_json', 'expected_output', 'limits_json', 'options_json', 'created_at'] as const;
const RESULT_COLUMNS = ['verdict', 'verdict_detail', 'exit_code', 'signal', 'cpu_time_ms', 'wall_time_ms', 'memory_kb', 'stdout', 'stderr', 'compile_output', 'message', 'tests_json'] as const;

/**
 * The store for the distributed mode: many API replicas and workers share it. A committed
 * INSERT is durable (synchronous_commit stays on), and claims are single UPDATE statements, so
 * two workers can never both hold a submission.
 */
export class PostgresStore implements Store {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string, poolSize = 10): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
    // An idle client that loses its connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      await migrate(pool, MIGRATIONS_DIR);
    } catch (err) {
      await pool.end();
      if (err instanceof Error && err.name === 'MigrationFailed') throw err;
      throw new StoreUnavailable(`cannot reach PostgreSQL: ${(err as Error).message}`, err);
    }
    return new PostgresStore(pool);
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      // Class 08 is a connection error; ECONNREFUSED and friends come from the socket.
      if (code.startsWith('08') || /^E[A-Z]+$/.test(code) || /timeout|terminat|connect/i.test((err as Error).message)) {
        throw new StoreUnavailable(`PostgreSQL is unavailable: ${(err as Error).message}`, err);
      }
      throw err;
    }
  }

  /** A commit is durable here (synchronous_commit stays on): committed and durable are one moment. */
  async insert(s: NewSubmission, onCommitted?: () => void): Promise<void> {
    const p = toInsertParams(s);
    const values = INSERT_COLUMNS.map((c) => p[c]);
    await this.query(
      `INSERT INTO submissions (status, ${INSERT_COLUMNS.join(', ')}) VALUES ('queued', ${INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
      values,
    );
    onCommitted?.();
  }

  async get(id: string): Promise<Submission | null> {
    const r = await this.query<SubmissionRow>('SELECT * FROM submissions WHERE id = $1', [id]);
    return r.rows[0] ? fromRow(r.rows[0]) : null;
  }

  /** Like `finish`, announces the change in the same statement (see STATUS_CHANNEL). */
  async claim(id: string, workerId: string, leaseMs: number, now: number): Promise<Submission | null> {
    // The notification is selected alongside the row: a CTE nobody reads would never be run.
    const r = await this.query<SubmissionRow>(
      `WITH claimed AS (
         UPDATE submissions SET status = 'running', claimed_by = $2, lease_until = $3, attempts = attempts + 1, started_at = $4
          WHERE id = $1 AND (status = 'queued' OR (status = 'running' AND lease_until < $4)) RETURNING *)
       SELECT claimed.*, pg_notify('${STATUS_CHANNEL}', claimed.id || ':running') AS notified FROM claimed`,
      [id, workerId, now + leaseMs, now],
    );
    return r.rows[0] ? fromRow(r.rows[0]) : null;
  }

  /**
   * The notification is part of the same statement, so it is sent exactly when the result
   * commits: API replicas waiting on the id wake at once instead of polling.
   */
  async finish(id: string, workerId: string, result: JudgeResult, now: number): Promise<boolean> {
    const p = toResultParams(result);
    const sets = RESULT_COLUMNS.map((c, i) => `${c} = $${i + 4}`).join(', ');
    const r = await this.query(
      `WITH done AS (
         UPDATE submissions SET status = 'finished', finished_at = $3, claimed_by = NULL, lease_until = NULL, ${sets}
          WHERE id = $1 AND status = 'running' AND claimed_by = $2 RETURNING id)
       SELECT pg_notify('${FINISHED_CHANNEL}', id) FROM done`,
      [id, workerId, now, ...RESULT_COLUMNS.map((c) => p[c])],
    );
    return r.rowCount === 1;
  }

  async renew(id: string, workerId: string, leaseMs: number, now: number): Promise<boolean> {
    const r = await this.query(`UPDATE submissions SET lease_until = $3 WHERE id = $1 AND status = 'running' AND claimed_by = $2`, [id, workerId, now + leaseMs]);
    return r.rowCount === 1;
  }

  async listStranded(queuedBefore: number, now: number, limit: number): Promise<string[]> {
    const r = await this.query<{ id: string }>(
      `SELECT id FROM submissions WHERE (status = 'queued' AND created_at < $1) OR (status = 'running' AND lease_until < $2)
        ORDER BY created_at, id LIMIT $3`,
      [queuedBefore, now, Math.min(limit, 2 ** 31 - 1)],
    );
    return r.rows.map((row) => row.id);
  }

  async release(id: string, workerId: string): Promise<void> {
    await this.query(`UPDATE submissions SET status = 'queued', claimed_by = NULL, lease_until = NULL WHERE id = $1 AND status = 'running' AND claimed_by = $2`, [id, workerId]);
  }

  async requeueAllRunning(): Promise<number> {
    const r = await this.query(`UPDATE submissions SET status = 'queued', claimed_by = NULL, lease_until = NULL WHERE status = 'running'`);
    return r.rowCount ?? 0;
  }

  async listUnfinished(limit: number): Promise<string[]> {
    const r = await this.query<{ id: string }>(`SELECT id FROM submissions WHERE status <> 'finished' ORDER BY created_at, id LIMIT $1`, [Math.min(limit, 2 ** 31 - 1)]);
    return r.rows.map((row) => row.id);
  }

  async countUnfinished(): Promise<number> {
    const r = await this.query<{ n: string }>("SELECT COUNT(*) AS n FROM submissions WHERE status <> 'finished'");
    return Number(r.rows[0].n);
  }

  /** Records the languages a worker probed (the latest report of a language wins). */
  async recordLanguages(languages: readonly LanguageReport[], reportedBy: string, now: number): Promise<void> {
    for (const l of languages) {
      await this.query(
        `INSERT INTO languages (id, name, version, compiled, reported_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = $2, version = $3, compiled = $4, reported_by = $5, updated_at = $6`,
        [l.id, l.name, l.version, l.compiled, reportedBy, now],
      );
    }
  }

  async listLanguages(): Promise<LanguageReport[]> {
    const r = await this.query<LanguageReport>('SELECT id, name, version, compiled FROM languages ORDER BY id');
    return r.rows;
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
