import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the relay and sweeper report; implemented with prom-client below, or faked in tests. */
export interface RelayMetrics {
  /** Ids of newly inserted submissions the broker acknowledged. */
  published(count: number): void;
  /** Stranded ids the sweeper published again. */
  republished(count: number): void;
  /** A transaction acknowledged to PostgreSQL, `lagSeconds` after it committed. */
  acknowledged(lagSeconds: number): void;
  /** Whether a replication stream is open. */
  connected(up: boolean): void;
  /** A replication session or a sweep ended in an error with this code. */
  failed(code: string): void;
}

export const noopRelayMetrics: RelayMetrics = {
  published: () => undefined,
  republished: () => undefined,
  acknowledged: () => undefined,
  connected: () => undefined,
  failed: () => undefined,
};

const LAG_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The relay's metrics in a process registry (the one /metrics serves). */
export class PromRelayMetrics implements RelayMetrics {
  private readonly publishedTotal: Counter;
  private readonly republishedTotal: Counter;
  private readonly lag: Gauge;
  private readonly lagHistogram: Histogram;
  private readonly up: Gauge;
  private readonly errors: Counter<'code'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.publishedTotal = new Counter({
      name: 'verdict_cdc_published_total',
      help: 'Inserted submissions published to the broker from the replication stream.',
      registers,
    });
    this.republishedTotal = new Counter({
      name: 'verdict_cdc_republished_total',
      help: 'Stranded submissions (queued too long, or under an expired lease) published again by the sweeper.',
      registers,
    });
    this.lag = new Gauge({
      name: 'verdict_cdc_replication_lag_seconds',
      help: 'Time from the commit of the last acknowledged transaction to its acknowledgement.',
      registers,
    });
    this.lagHistogram = new Histogram({
      name: 'verdict_cdc_commit_to_ack_seconds',
      help: 'Time from a transaction\'s commit to its acknowledgement, after its ids were published.',
      buckets: LAG_BUCKETS_S,
      registers,
    });
    this.up = new Gauge({
      name: 'verdict_cdc_connected',
      help: '1 while the relay streams from its replication slot, else 0.',
      registers,
    });
    this.errors = new Counter({
      name: 'verdict_cdc_errors_total',
      help: 'Replication sessions and sweeps that ended in an error, by error code.',
      labelNames: ['code'],
      registers,
    });
  }

  published(count: number): void {
    this.publishedTotal.inc(count);
  }

  republished(count: number): void {
    this.republishedTotal.inc(count);
  }

  acknowledged(lagSeconds: number): void {
    // Clocks of the database and the relay may disagree a little; a negative lag means "none".
    const lag = Math.max(0, lagSeconds);
    this.lag.set(lag);
    this.lagHistogram.observe(lag);
  }

  connected(up: boolean): void {
    this.up.set(up ? 1 : 0);
  }

  failed(code: string): void {
    this.errors.inc({ code });
  }
}
