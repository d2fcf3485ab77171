import type { Config } from '../config/index.js';
import { InvalidSubmission, type CheckerSpec, type Comparison, type TestCase } from '../judge/index.js';
import type { SandboxLimits } from '../sandbox/index.js';
import type { StoredFile, SubmissionOptions } from '../store/index.js';
import { PayloadTooLarge } from './errors.js';
import { LIMIT_FIELDS, type RequestedLimits } from './limits.js';

/** One test as a client sends it. */
export interface TestInput {
  readonly stdin?: string;
  readonly expected_output?: string | null;
  readonly limits?: RequestedLimits;
}

export interface ComparisonInput {
  readonly mode: 'exact' | 'trim' | 'tokens' | 'numbers';
  readonly absolute?: number;
  readonly relative?: number;
}

export interface CheckerInput {
  readonly language: string;
  readonly source?: string;
  readonly files?: ReadonlyArray<{ readonly name?: string; readonly content: string; readonly encoding?: 'utf8' | 'base64' }>;
}

/** The judging fields of a request (beyond one run): test cases, comparison, checker. */
export interface JudgingInput {
  readonly stdin?: string;
  readonly expected_output?: string | null;
  readonly tests?: readonly TestInput[];
  readonly stop_on_first_failure?: boolean;
  readonly comparison?: ComparisonInput;
  readonly checker?: CheckerInput;
}

/** Tolerance of the `numbers` comparison when the request names none. */
const DEFAULT_TOLERANCE = 1e-6;

/**
 * Turns the judging fields into stored options, checking what the schema cannot: sizes summed
 * over tests, that stdin and expected_output are given once (top level or per test), that the
 * checker's language exists and its files are plain names.
 */
export function parseJudging(
  input: JudgingInput,
  config: Config,
  checkerFiles: (checker: CheckerInput) => StoredFile[],
  checkerLanguage: (id: string) => string,
): Pick<SubmissionOptions, 'tests' | 'stopOnFirstFailure' | 'comparison' | 'checker'> {
  const out: { tests?: TestCase[]; stopOnFirstFailure?: boolean; comparison?: Comparison; checker?: CheckerSpec } = {};
  if (input.tests !== undefined) {
    if (input.stdin !== undefined || input.expected_output !== undefined) {
      throw new InvalidSubmission('give stdin and expected_output inside each entry of tests, not at the top level as well', 'tests');
    }
    if (input.tests.length === 0) throw new InvalidSubmission('tests is empty; send at least one test, or leave tests out', 'tests');
    if (input.tests.length > config.maxTests) throw new InvalidSubmission(`tests has ${input.tests.length} entries; at most ${config.maxTests} are allowed (VERDICT_MAX_TESTS)`, 'tests');
    let stdinBytes = 0;
    let expectedBytes = 0;
    out.tests = input.tests.map((t, i) => {
      const stdin = Buffer.from(t.stdin ?? '', 'utf8');
      const expectedOutput = t.expected_output == null ? null : Buffer.from(t.expected_output, 'utf8');
      stdinBytes += stdin.length;
      expectedBytes += expectedOutput?.length ?? 0;
      return { stdin, expectedOutput, ...(t.limits ? { limits: testLimits(t.limits, i, config) } : {}) };
    });
    if (stdinBytes > config.maxStdinKb * 1024) throw new PayloadTooLarge('tests[].stdin', stdinBytes, config.maxStdinKb, 'VERDICT_MAX_STDIN_KB');
    if (expectedBytes > config.maxExpectedOutputKb * 1024) {
      throw new PayloadTooLarge('tests[].expected_output', expectedBytes, config.maxExpectedOutputKb, 'VERDICT_MAX_EXPECTED_OUTPUT_KB');
    }
  }
  if (input.stop_on_first_failure) out.stopOnFirstFailure = true;
  if (input.comparison) out.comparison = comparison(input.comparison);
  if (input.checker) {
    out.checker = { languageId: checkerLanguage(input.checker.language), files: checkerFiles(input.checker) };
    const bytes = out.checker.files.reduce((n, f) => n + f.content.length, 0);
    if (bytes > config.maxSourceKb * 1024) throw new PayloadTooLarge('checker', bytes, config.maxSourceKb, 'VERDICT_MAX_SOURCE_KB');
  }
  return out;
}

function comparison(c: ComparisonInput): Comparison {
  if (c.mode !== 'numbers') {
    if (c.absolute !== undefined || c.relative !== undefined) {
      throw new InvalidSubmission(`comparison.absolute and comparison.relative apply only to mode "numbers", not "${c.mode}"`, 'comparison');
    }
    return { mode: c.mode };
  }
  const absolute = c.absolute ?? DEFAULT_TOLERANCE;
  const relative = c.relative ?? DEFAULT_TOLERANCE;
  for (const [field, v] of [['absolute', absolute], ['relative', relative]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new InvalidSubmission(`comparison.${field} must be a number >= 0; got ${v}`, `comparison.${field}`);
  }
  return { mode: 'numbers', absolute, relative };
}

/** A test's limits, each a whole number >= 1 and within the server's maxima (they only ever lower). */
function testLimits(requested: RequestedLimits, index: number, config: Config): Partial<SandboxLimits> {
  const out: Record<string, number> = {};
  for (const [field, key] of LIMIT_FIELDS) {
    const value = requested[field];
    if (value === undefined) continue;
    const max = config.runLimits[key].max;
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new InvalidSubmission(`tests[${index}].limits.${field} must be a whole number from 1 to ${max}; got ${value}`, `tests[${index}].limits.${field}`);
    }
    out[key] = value;
  }
  return out;
}
