import type { Broker } from '../broker/index.js';
import type { Store } from '../store/index.js';
import { InvalidRelayOptions, SweepFailed } from './errors.js';
import { describeError, silentLogger, type RelayLogger } from './logger.js';
import { noopRelayMetrics, type RelayMetrics } from './metrics.js';

export interface SweeperOptions {
  readonly store: Pick<Store, 'listStranded'>;
  readonly broker: Pick<Broker, 'publish'>;
  readonly sweepIntervalMs: number;
  /** A submission queued longer than this, or whose lease expired, is published again. */
  readonly staleAfterMs: number;
  /** Most ids one sweep republishes. Default 1000. */
  readonly batchLimit?: number;
  readonly logger?: RelayLogger;
  readonly metrics?: RelayMetrics;
  /** Epoch milliseconds; the store's timestamps use the same clock. */
  readonly now?: () => number;
}

export interface SweeperStatus {
  readonly state: 'stopped' | 'running';
  readonly ready: boolean;
  readonly lastSweepAt: number | null;
  readonly lastRepublished: number;
  readonly lastError: { readonly code: string; readonly message: string } | null;
}

/**
 * The safety net under change data capture: a slot that was invalidated, dropped or lost in a
 * failover carries no events for what was inserted meanwhile, and a worker that died leaves its
 * claim behind. Every interval the sweeper republishes submissions still queued after
 * `staleAfterMs` and those under an expired lease. Duplicates are harmless (claims are
 * idempotent), but an id it just republished waits `staleAfterMs` before the next time, so a
 * backlog does not fill the broker with copies while workers catch up.
 */
export class Sweeper {
  private readonly batchLimit: number;
  private readonly log: RelayLogger;
  private readonly metrics: RelayMetrics;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private inFlight: Promise<void> = Promise.resolve();
  private republishedAt = new Map<string, number>();
  private lastSweepAt: number | null = null;
  private lastRepublished = 0;
  private lastError: SweeperStatus['lastError'] = null;

  constructor(private readonly opts: SweeperOptions) {
    this.batchLimit = opts.batchLimit ?? 1000;
    this.log = opts.logger ?? silentLogger;
    this.metrics = opts.metrics ?? noopRelayMetrics;
    this.now = opts.now ?? Date.now;
    if (!(opts.sweepIntervalMs > 0)) throw new InvalidRelayOptions('sweepIntervalMs must be positive');
    if (!(opts.staleAfterMs > 0)) throw new InvalidRelayOptions('staleAfterMs must be positive');
    if (!Number.isInteger(this.batchLimit) || this.batchLimit < 1) throw new InvalidRelayOptions('batchLimit must be a positive integer');
  }

  /** Sweeps at once, then every interval; a sweep never overlaps the previous one. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  /** Clears the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** Running, and the last sweep (if any) succeeded. */
  ready(): boolean {
    return this.running && this.lastError === null;
  }

  status(): SweeperStatus {
    return {
      state: this.running ? 'running' : 'stopped',
      ready: this.ready(),
      lastSweepAt: this.lastSweepAt,
      lastRepublished: this.lastRepublished,
      lastError: this.lastError,
    };
  }

  /** One sweep; resolves with how many ids it republished. */
  async sweepOnce(): Promise<number> {
    const now = this.now();
    let stranded: string[];
    try {
      stranded = await this.opts.store.listStranded(now - this.opts.staleAfterMs, now, this.batchLimit);
    } catch (err) {
      throw new SweepFailed(`cannot list stranded submissions: ${(err as Error).message}`, err);
    }
    const due = stranded.filter((id) => (this.republishedAt.get(id) ?? -Infinity) <= now - this.opts.staleAfterMs);
    if (due.length > 0) {
      try {
        await this.opts.broker.publish(due.map((id) => ({ id })));
      } catch (err) {
        throw new SweepFailed(`cannot republish ${due.length} stranded submission(s): ${(err as Error).message}`, err);
      }
      this.metrics.republished(due.length);
      this.log.info({ count: due.length, oldest: due[0] }, 'republished stranded submissions');
    }
    // Only ids still stranded are remembered, so the map never outgrows one batch.
    const dueSet = new Set(due);
    const next = new Map<string, number>();
    for (const id of stranded) next.set(id, dueSet.has(id) ? now : (this.republishedAt.get(id) as number));
    this.republishedAt = next;
    return due.length;
  }

  private tick(): void {
    this.inFlight = this.sweepOnce().then(
      (count) => {
        this.lastSweepAt = this.now();
        this.lastRepublished = count;
        this.lastError = null;
      },
      (err: unknown) => {
        this.lastError = describeError(err);
        this.metrics.failed(this.lastError.code);
        this.log.warn({ err: this.lastError }, 'sweep failed; trying again next interval');
      },
    ).then(() => {
      if (this.running) this.timer = setTimeout(() => this.tick(), this.opts.sweepIntervalMs);
    });
  }
}
