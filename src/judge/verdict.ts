import type { RunOutcome } from '../sandbox/index.js';
import { DEFAULT_COMPARISON, compareOutput } from './compare.js';
import type { Comparison, Verdict } from './types.js';

export interface VerdictDecision {
  readonly verdict: Verdict;
  readonly detail: string | null;
}

/**
 * Decides a run's verdict. Order matters and is fixed: CPU limit, wall limit, memory limit,
 * output or file size limit, signal, non-zero exit, then the output comparison.
 */
export function decideVerdict(outcome: RunOutcome, expected: Buffer | null, outOfMemoryPattern?: RegExp, comparison: Comparison = DEFAULT_COMPARISON): VerdictDecision {
  switch (outcome.limitExceeded) {
    case 'cpu':
      return { verdict: 'time_limit_exceeded', detail: 'cpu' };
    case 'wall':
      return { verdict: 'time_limit_exceeded', detail: 'wall' };
    case 'memory':
      return { verdict: 'memory_limit_exceeded', detail: null };
    case 'output':
      return { verdict: 'output_limit_exceeded', detail: 'output' };
    case 'file_size':
      return { verdict: 'output_limit_exceeded', detail: 'file_size' };
    case null:
      break;
  }
  const failed = outcome.signal !== null || outcome.exitCode !== 0;
  // A managed runtime (JVM, V8) that hits its heap cap reports it itself instead of being killed.
  if (failed && outOfMemoryPattern && outOfMemoryPattern.test(outcome.stderr.toString('utf8'))) {
    return { verdict: 'memory_limit_exceeded', detail: 'runtime out of memory' };
  }
  if (outcome.signal !== null) return { verdict: 'runtime_error', detail: outcome.signal };
  if (outcome.exitCode !== 0) return { verdict: 'runtime_error', detail: `exit code ${outcome.exitCode}` };
  if (expected !== null && !compareOutput(outcome.stdout, expected, comparison)) return { verdict: 'wrong_answer', detail: null };
  return { verdict: 'accepted', detail: null };
}
