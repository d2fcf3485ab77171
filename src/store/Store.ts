import type { CheckerSpec, Comparison, JudgeResult, TestCase } from '../judge/index.js';
import type { SandboxLimits } from '../sandbox/index.js';

export type SubmissionStatus = 'queued' | 'running' | 'finished';

export interface StoredFile {
  readonly name: string;
  readonly content: Buffer;
}

/** Where and how to tell a client that its submission finished. */
export interface CallbackSpec {
  readonly url: string;
  /** The body's shape: Verdict's own submission view, or what a Judge0 client expects. */
  readonly format: 'verdict' | 'judge0';
}

/** Everything about judging beyond one run with one stdin; every field optional. */
export interface SubmissionOptions {
  /** Several tests, compiled once; without them the submission's own stdin and expected output are the one test. */
  readonly tests?: readonly TestCase[];
  readonly stopOnFirstFailure?: boolean;
  readonly comparison?: Comparison;
  readonly checker?: CheckerSpec;
  readonly callback?: CallbackSpec;
  /** What a compatibility API keeps to echo back in its own shape (e.g. Judge0's request fields). */
  readonly compat?: Readonly<Record<string, unknown>>;
}

/** A submission as accepted: everything needed to run it, and nothing derived. */
export interface NewSubmission {
  readonly id: string;
  readonly language: string;
  readonly files: readonly StoredFile[];
  readonly stdin: Buffer;
  readonly args: readonly string[];
  readonly compileOptions: readonly string[];
  readonly expectedOutput: Buffer | null;
  readonly limits: SandboxLimits;
  readonly options: SubmissionOptions;
  readonly createdAt: number;
}

export interface Submission extends NewSubmission {
  readonly status: SubmissionStatus;
  readonly attempts: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly result: JudgeResult | null;
}

/**
 * Durable state of every submission. `insert` resolves only once the row is committed to disk:
 * the API answers 201 after it, never before. Claims make workers idempotent: a duplicate
 * delivery finds the row already claimed or finished and is skipped.
 */
export interface Store {
  /**
   * Resolves once the row is durable. `onCommitted`, if given, is called as soon as the row is
   * committed and visible to every reader, which may be before it is on disk: work can start on
   * it while the disk catches up, but nobody may be told it was accepted until this resolves.
   */
  insert(submission: NewSubmission, onCommitted?: () => void): Promise<void>;
  get(id: string): Promise<Submission | null>;
  /** Takes a queued submission (or one whose lease expired) for `workerId`; null if not claimable. */
  claim(id: string, workerId: string, leaseMs: number, now: number): Promise<Submission | null>;
  /** Stores the result if `workerId` still holds the claim; false if another worker took over. */
  finish(id: string, workerId: string, result: JudgeResult, now: number): Promise<boolean>;
  /** Extends a claim's lease while its run goes on; false if `workerId` no longer holds it. */
  renew(id: string, workerId: string, leaseMs: number, now: number): Promise<boolean>;
  /**
   * Ids a delivery may have missed, oldest first: queued since before `queuedBefore`, or running
   * under a lease that expired before `now` (its worker died). The relay's sweeper republishes them.
   */
  listStranded(queuedBefore: number, now: number, limit: number): Promise<string[]>;
  /** Gives a claim back (a draining worker): the submission is queued again. */
  release(id: string, workerId: string): Promise<void>;
  /** Puts every running submission back in the queue: for a single-process start after a crash. */
  requeueAllRunning(): Promise<number>;
  /** Ids of unfinished submissions, oldest first. */
  listUnfinished(limit: number): Promise<string[]>;
  /** Queued and running submissions: the queue depth. Counted on the unfinished index, never the whole table. */
  countUnfinished(): Promise<number>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
