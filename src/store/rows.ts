import type { JudgeResult, TestResult, Verdict } from '../judge/index.js';
import type { SandboxLimits } from '../sandbox/index.js';
import type { NewSubmission, Submission, SubmissionOptions, SubmissionStatus } from './Store.js';

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
  options_json: string;
  tests_json: string | null;
}

/**
 * JSON with Buffers in it: a Buffer is written as {"$b64": "..."} and read back as a Buffer, so
 * options and per-test results (inputs, outputs, checker files) round-trip byte for byte.
 */
function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    return Buffer.isBuffer(raw) ? { $b64: raw.toString('base64') } : v;
  });
}

function fromJson<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && typeof (v as { $b64?: unknown }).$b64 === 'string' && Object.keys(v).length === 1
      ? Buffer.from((v as { $b64: string }).$b64, 'base64')
      : v,
  ) as T;
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
    options_json: toJson(s.options),
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
    tests_json: r.tests ? toJson(r.tests) : null,
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
    options: fromJson<SubmissionOptions>(row.options_json),
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
            ...(row.tests_json ? { tests: fromJson<TestResult[]>(row.tests_json) } : {}),
          }
        : null,
  };
}
