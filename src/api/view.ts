import { isUtf8 } from 'node:buffer';
import type { Submission } from '../store/index.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A submission as the v1 API shows it. Output is text when it is valid UTF-8, else base64. */
export function submissionView(s: Submission) {
  const r = s.result;
  const tests = r?.tests ?? [];
  const outputs = r ? [r.stdout, r.stderr, r.compileOutput, ...tests.flatMap((t) => [t.stdout, t.stderr, ...(t.checkerOutput ? [t.checkerOutput] : [])])] : [];
  const text = outputs.every((b) => isUtf8(b));
  const enc = (b: Buffer | undefined): string | null => (b === undefined ? null : text ? b.toString('utf8') : b.toString('base64'));
  return {
    id: s.id,
    status: s.status,
    language: s.language,
    verdict: r?.verdict ?? null,
    verdict_detail: r?.verdictDetail ?? null,
    stdout: enc(r?.stdout),
    stderr: enc(r?.stderr),
    compile_output: enc(r?.compileOutput),
    encoding: text ? ('utf8' as const) : ('base64' as const),
    exit_code: r?.exitCode ?? null,
    signal: r?.signal ?? null,
    cpu_time_ms: r?.cpuTimeMs ?? null,
    wall_time_ms: r?.wallTimeMs ?? null,
    memory_kb: r?.memoryKb ?? null,
    message: r?.message ?? null,
    limits: {
      cpu_time_ms: s.limits.cpuTimeMs,
      wall_time_ms: s.limits.wallTimeMs,
      memory_kb: s.limits.memoryKb,
      processes: s.limits.processes,
      output_kb: s.limits.outputKb,
      file_size_kb: s.limits.fileSizeKb,
      stack_kb: s.limits.stackKb,
    },
    ...(r?.tests
      ? {
          tests: r.tests.map((t) => ({
            verdict: t.verdict,
            verdict_detail: t.verdictDetail,
            stdout: enc(t.stdout) as string,
            stderr: enc(t.stderr) as string,
            checker_output: t.checkerOutput ? enc(t.checkerOutput) : null,
            exit_code: t.exitCode,
            signal: t.signal,
            cpu_time_ms: t.cpuTimeMs,
            wall_time_ms: t.wallTimeMs,
            memory_kb: t.memoryKb,
          })),
        }
      : {}),
    created_at: iso(s.createdAt) as string,
    started_at: iso(s.startedAt),
    finished_at: iso(s.finishedAt),
  };
}
