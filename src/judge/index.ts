export { Judge, internalError, type JudgeDeps } from './Judge.js';
export type { InteractiveSession, InteractiveStage } from './interactive.js';
export { decideVerdict, type VerdictDecision } from './verdict.js';
export { outputMatches, compareOutput, DEFAULT_COMPARISON } from './compare.js';
export { VERDICTS, type Verdict, type JudgeRequest, type JudgeResult, type CompileLimits, type TestCase, type TestResult, type RunResult, type Comparison, type CheckerSpec } from './types.js';
export { InvalidSubmission } from './errors.js';
export { ArtefactCache } from './cache/ArtefactCache.js';
