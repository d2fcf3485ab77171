import type { BoxFile, SandboxLimits } from '../sandbox/index.js';

export const VERDICTS = [
  'accepted',
  'wrong_answer',
  'compile_error',
  'runtime_error',
  'time_limit_exceeded',
  'memory_limit_exceeded',
  'output_limit_exceeded',
  'internal_error',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Compile-step limits come from the server's configuration only. */
export interface CompileLimits {
  readonly cpuTimeMs: number;
  readonly wallTimeMs: number;
  readonly memoryKb: number;
}

export interface JudgeRequest {
  readonly languageId: string;
  /** Main file first; names already validated. */
  readonly files: readonly BoxFile[];
  readonly stdin: Buffer;
  readonly args: readonly string[];
  readonly compileOptions: readonly string[];
  readonly expectedOutput: Buffer | null;
  readonly limits: SandboxLimits;
}

export interface JudgeResult {
  readonly verdict: Verdict;
  /** What exactly: "cpu" or "wall" for a time limit, "SIGSEGV" or "exit code 3" for a runtime error. */
  readonly verdictDetail: string | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly cpuTimeMs: number | null;
  readonly wallTimeMs: number | null;
  readonly memoryKb: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly compileOutput: Buffer;
  /** For internal errors and compile-step limits: what went wrong, in words. */
  readonly message: string | null;
}
