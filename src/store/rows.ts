import type { JudgeResult, Verdict } from '../judge/index.js';
import type { SandboxLimits } from '../sandbox/index.js';
import type { NewSubmission, Submission, SubmissionStatus } from './Store.js';

/** A submissions row as both drivers return it (BLOB/BYTEA as Buffer, integers as numbers). */
export interface SubmissionRow {
  id: string;
  status: SubmissionStatus;
  language: string;
  files_json: string;
  stdin: Buffer;
  args_json: string;
  compile_options_json: string;
  expected_output: Buffer | null;
  limits_json: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  attempts: number;
  verdict: Verdict | null;
  verdict_detail: string | null;
  exit_code: number | null;
  signal: string | null;
  cpu_time_ms: number | null;
  wall_time_ms: number | null;
  memory_kb: number | null;
  stdout: Buffer | null;
  stderr: Buffer | null;
  compile_output: Buffer | null;
  message: string | null;
}

export function toInsertParams(s: NewSubmission): Record<string, unknown> {
  return {
    id: s.id,
    language: s.language,
    files_json: JSON.stringify(s.files.map((f) => ({ name: f.name, content: f.content.toString('base64') }))),
    stdin: s.stdin,
    args_json: JSON.stringify(s.args),
    compile_options_json: JSON.stringify(s.compileOptions),
    expected_output: s.expectedOutput,
    limits_json: JSON.stringify(s.limits),
    created_at: s.createdAt,
  };
}

export function toResultParams(r: JudgeResult): Record<string, unknown> {
  return {
    verdict: r.verdict,
    verdict_detail: r.verdictDetail,
    exit_code: r.exitCode,
    signal: r.signal,
    cpu_time_ms: r.cpuTimeMs,
    wall_time_ms: r.wallTimeMs,
    memory_kb: r.memoryKb,
    stdout: r.stdout,
    stderr: r.stderr,
    compile_output: r.compileOutput,
    message: r.message,
  };
}

export function fromRow(row: SubmissionRow): Submission {
  const files = (JSON.parse(row.files_json) as Array<{ name: string; content: string }>).map((f) => ({
    name: f.name,
    content: Buffer.from(f.content, 'base64'),
  }));
  const empty = Buffer.alloc(0);
  return {
    id: row.id,
    status: row.status,
    language: row.language,
    files,
    stdin: row.stdin,
    args: JSON.parse(row.args_json) as string[],
    compileOptions: JSON.parse(row.compile_options_json) as string[],
    expectedOutput: row.expected_output,
    limits: JSON.parse(row.limits_json) as SandboxLimits,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    attempts: row.attempts,
    result:
      row.status === 'finished' && row.verdict
        ? {
            verdict: row.verdict,
            verdictDetail: row.verdict_detail,
            exitCode: row.exit_code,
            signal: row.signal,
            cpuTimeMs: row.cpu_time_ms,
            wallTimeMs: row.wall_time_ms,
            memoryKb: row.memory_kb,
            stdout: row.stdout ?? empty,
            stderr: row.stderr ?? empty,
            compileOutput: row.compile_output ?? empty,
            message: row.message,
          }
        : null,
  };
}
