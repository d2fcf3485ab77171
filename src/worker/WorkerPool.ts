import { HandlerDeclined, type Broker, type SubmissionMessage } from '../broker/index.js';
import type { Judge } from '../judge/index.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/Metrics.js';
import type { Store, Submission } from '../store/index.js';
import { Gate } from './Gate.js';

export interface WorkerPoolDeps {
  readonly store: Store;
  readonly broker: Broker;
  readonly judge: Judge;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Unique per process: claims are made in its name. */
  readonly workerId: string;
  readonly concurrency: number;
  /** How long a claim is valid unless renewed; renewed every third of it while the run goes on. */
  readonly leaseMs: number;
  /** Told once this worker holds the submission (it is running). */
  readonly onClaimed?: (id: string) => void;
  /** Told once the result is stored, with the submission as the store now holds it. */
  readonly onFinished: (id: string, finished: Submission) => void;
}

/**
 * Messages taken from the broker beyond the number of slots. One waits (unclaimed, so it still
 * reads as queued) for the next slot to free up, and starts the moment it does, while the
 * previous result is being stored: without it a slot would stay idle for that long after every
 * run.
 */
const PREFETCH = 1;

/**
 * Takes submission ids from the broker, claims each in the store, judges it and stores the
 * result. A message is acknowledged (the handler resolves) only after the result is stored, so
 * a crash at any point leaves the submission to be delivered or swept again.
 */
export class WorkerPool {
  private running = false;
  /** One pass per slot: held from the claim until the judge is done with the slot. */
  private readonly gate: Gate;

  constructor(private readonly deps: WorkerPoolDeps) {
    this.gate = new Gate(deps.concurrency);
  }

  start(): void {
    this.running = true;
    this.deps.broker.consume((m) => this.handle(m), this.deps.concurrency + PREFETCH);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Stops taking work and waits up to `graceMs` for runs in flight. */
  async stop(graceMs: number): Promise<void> {
    this.running = false;
    await this.deps.broker.stop(graceMs);
  }

  private async handle(message: SubmissionMessage): Promise<void> {
    await this.gate.acquire();
    let passed = false;
    const pass = (): void => {
      if (passed) return;
      passed = true;
      this.gate.release();
    };
    try {
      await this.claimAndJudge(message, pass);
    } finally {
      pass();
    }
  }

  /** `pass` hands the slot on; called as soon as the run is over, before its result is stored. */
  private async claimAndJudge(message: SubmissionMessage, pass: () => void): Promise<void> {
    const { store, judge, metrics, log, workerId } = this.deps;
    // A prefetched message whose turn came while stopping: not claimed, so it is delivered again.
    if (!this.running) throw new HandlerDeclined('the worker is stopping');
    const claimedAt = Date.now();
    const submission = await store.claim(message.id, workerId, this.deps.leaseMs, claimedAt);
    if (!submission) {
      // Already finished, or running under a live claim elsewhere: a duplicate delivery.
      log.debug({ id: message.id }, 'skipped: not claimable');
      return;
    }
    metrics.waitDuration.observe((claimedAt - submission.createdAt) / 1000);
    this.deps.onClaimed?.(submission.id);
    const renewal = this.keepClaim(submission.id);
    let result;
    try {
      result = await judge.judge({
        languageId: submission.language,
        files: submission.files,
        stdin: submission.stdin,
        args: submission.args,
        compileOptions: submission.compileOptions,
        expectedOutput: submission.expectedOutput,
        limits: submission.limits,
        tests: submission.options.tests,
        stopOnFirstFailure: submission.options.stopOnFirstFailure,
        comparison: submission.options.comparison,
        checker: submission.options.checker,
      });
    } finally {
      clearInterval(renewal);
    }
    pass();
    // The next submission's run starts first (its way to the sandbox is all in-process work);
    // storing and announcing this result comes after, instead of holding that slot idle.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const finishedAt = Date.now();
    const stored = await store.finish(submission.id, workerId, result, finishedAt);
    if (!stored) {
      log.warn({ id: submission.id }, 'result dropped: the claim was taken over by another worker');
      return;
    }
    metrics.submissionsFinished.inc({ verdict: result.verdict, language: submission.language });
    metrics.runDuration.observe({ language: submission.language }, (Date.now() - claimedAt) / 1000);
    log.info(
      { id: submission.id, language: submission.language, verdict: result.verdict, detail: result.verdictDetail, cpuMs: result.cpuTimeMs, wallMs: result.wallTimeMs, memoryKb: result.memoryKb, message: result.message ?? undefined },
      'submission finished',
    );
    this.deps.onFinished(submission.id, { ...submission, status: 'finished', finishedAt, result });
  }

  /**
   * Renews the claim while the run goes on, so the lease can be short (a dead worker's
   * submission is taken over quickly) whatever the run's length. A renewal that fails (store
   * down) is retried at the next tick; a claim found lost is only logged: the store will refuse
   * this worker's result and keep the new holder's.
   */
  private keepClaim(id: string): NodeJS.Timeout {
    const { store, log, workerId, leaseMs } = this.deps;
    const timer = setInterval(() => {
      store.renew(id, workerId, leaseMs, Date.now()).then(
        (held) => {
          if (!held) log.warn({ id }, 'claim lost while running: another worker took the submission over');
        },
        (err: unknown) => log.warn({ id, err }, 'cannot renew the claim; retrying'),
      );
    }, Math.max(100, Math.floor(leaseMs / 3)));
    timer.unref();
    return timer;
  }
}
