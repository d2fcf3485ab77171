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

/** One test of a submission: its input, the output it should produce, limits of its own. */
export interface TestCase {
  readonly stdin: Buffer;
  readonly expectedOutput: Buffer | null;
  /** Lowers (never raises) the submission's limits for this test. */
  readonly limits?: Partial<SandboxLimits>;
}

/** How a run's stdout is compared with the expected output. */
export type Comparison =
  | { readonly mode: 'exact' }
  /** The default: trailing whitespace on each line and trailing blank lines are ignored. */
  | { readonly mode: 'trim' }
  /** Whitespace-separated tokens, equal one by one. */
  | { readonly mode: 'tokens' }
  /** Tokens; numeric ones equal within an absolute or a relative tolerance. */
  | { readonly mode: 'numbers'; readonly absolute: number; readonly relative: number };

/** A program that decides whether an output is right (problems with many right answers). */
export interface CheckerSpec {
  readonly languageId: string;
  readonly files: readonly BoxFile[];
}

/** What one run of a program gives: its verdict, how it ended, what it used and printed. */
export interface RunResult {
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
}

/** The result of one test of a multi-test submission. */
export interface TestResult extends RunResult {
  /** What the checker said, when there is one. */
  readonly checkerOutput: Buffer | null;
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
  /** Several tests, compiled once; absent: `stdin` and `expectedOutput` are the one test. */
  readonly tests?: readonly TestCase[];
  readonly stopOnFirstFailure?: boolean;
  readonly comparison?: Comparison;
  readonly checker?: CheckerSpec;
}

/** A submission's result: its deciding run (the first failing test, else the last), and more. */
export interface JudgeResult extends RunResult {
  readonly compileOutput: Buffer;
  /** For internal errors and compile-step limits: what went wrong, in words. */
  readonly message: string | null;
  /** Per test, for a submission with test cases (in order; those skipped after a failure absent). */
  readonly tests?: readonly TestResult[];
}
