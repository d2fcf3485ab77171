import type { Broker } from '../broker/index.js';
import { InvalidRelayOptions, ReplicationFailed, SlotInUse } from './errors.js';
import { describeError, silentLogger, type RelayLogger } from './logger.js';
import { noopRelayMetrics, type RelayMetrics } from './metrics.js';
import { ReplicationSession } from './ReplicationSession.js';

export interface RelayBackoff {
  /** Wait after the first failure; doubled after each further one. */
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface CdcRelayOptions {
  /** PostgreSQL URL of the primary (not a pooler: replication needs a direct connection). */
  readonly connectionUrl: string;
  readonly broker: Pick<Broker, 'publish'>;
  /** Logical replication slot, created if missing. Default `verdict_relay`. */
  readonly slot?: string;
  /** Publication of inserted submissions (migration 0002). Default `verdict_submissions`. */
  readonly publication?: string;
  /** Table whose inserted rows' `id` is published; other tables in the publication are skipped. */
  readonly table?: string;
  /** Default 100 ms doubling up to 5 s. */
  readonly backoff?: RelayBackoff;
  /** Most ids in one publish call. Default 500. */
  readonly maxBatchSize?: number;
  readonly connectTimeoutMs?: number;
  readonly logger?: RelayLogger;
  readonly metrics?: RelayMetrics;
}

export type CdcRelayState = 'stopped' | 'connecting' | 'streaming' | 'waiting_for_slot' | 'retrying';

export interface CdcRelayStatus {
  readonly state: CdcRelayState;
  readonly ready: boolean;
  readonly slot: string;
  /** The slot position this relay last acknowledged or found confirmed, e.g. `0/1A2B3C8`. */
  readonly acknowledgedLsn: string | null;
  /** Failures since the relay last made progress. */
  readonly consecutiveFailures: number;
  readonly lastError: { readonly code: string; readonly message: string } | null;
}

// PostgreSQL's rule for slot names; the library also puts both names into START_REPLICATION as is.
const SLOT_NAME = /^[a-z0-9_]{1,63}$/;
const PUBLICATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Streams inserted submissions from PostgreSQL's logical replication and publishes their ids,
 * acknowledging a transaction only after the broker accepted its ids: at least once, in commit
 * order. On any error it drops the connection and starts over with a new session after a growing
 * backoff; the server then resends everything after the slot's confirmed position. A slot serves
 * one connection at a time, so of several relays on one slot exactly one streams and the others
 * wait, not ready.
 */
export class CdcRelay {
  private readonly slot: string;
  private readonly publication: string;
  private readonly table: string;
  private readonly backoff: RelayBackoff;
  private readonly maxBatchSize: number;
  private readonly connectTimeoutMs: number;
  private readonly log: RelayLogger;
  private readonly metrics: RelayMetrics;
  private state: CdcRelayState = 'stopped';
  private loop: Promise<void> | null = null;
  private session: ReplicationSession | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private failures = 0;
  private lastError: CdcRelayStatus['lastError'] = null;
  private acknowledgedLsn: string | null = null;

  constructor(private readonly opts: CdcRelayOptions) {
    this.slot = opts.slot ?? 'verdict_relay';
    this.publication = opts.publication ?? 'verdict_submissions';
    this.table = opts.table ?? 'submissions';
    this.backoff = opts.backoff ?? { initialMs: 100, maxMs: 5000 };
    this.maxBatchSize = opts.maxBatchSize ?? 500;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.log = opts.logger ?? silentLogger;
    this.metrics = opts.metrics ?? noopRelayMetrics;
    if (!opts.connectionUrl) throw new InvalidRelayOptions('the relay needs a PostgreSQL connection URL');
    if (!SLOT_NAME.test(this.slot)) throw new InvalidRelayOptions(`slot name ${JSON.stringify(this.slot)} must be 1-63 lower-case letters, digits or underscores`);
    if (!PUBLICATION_NAME.test(this.publication)) throw new InvalidRelayOptions(`publication name ${JSON.stringify(this.publication)} must be a plain identifier`);
    if (!(this.backoff.initialMs > 0 && this.backoff.maxMs >= this.backoff.initialMs)) {
      throw new InvalidRelayOptions('backoff needs 0 < initialMs <= maxMs');
    }
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1) throw new InvalidRelayOptions('maxBatchSize must be a positive integer');
    if (!(this.connectTimeoutMs > 0)) throw new InvalidRelayOptions('connectTimeoutMs must be positive');
  }

  /** Starts connecting in the background; ready() tells when the stream is open. */
  async start(): Promise<void> {
    if (this.loop) return;
    this.stopping = false;
    this.state = 'connecting';
    this.loop = this.run();
  }

  /** Stops streaming after the publish in flight, acknowledges it, and closes the connection. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.wake?.();
    await this.session?.close();
    await this.loop;
    this.loop = null;
    this.state = 'stopped';
    this.metrics.connected(false);
  }

  /** Connected and streaming from the slot. */
  ready(): boolean {
    return this.state === 'streaming';
  }

  status(): CdcRelayStatus {
    return {
      state: this.state,
      ready: this.ready(),
      slot: this.slot,
      acknowledgedLsn: this.session?.acknowledged() ?? this.acknowledgedLsn,
      consecutiveFailures: this.failures,
      lastError: this.lastError,
    };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.state = this.failures === 0 ? 'connecting' : this.state;
      const session = this.newSession();
      this.session = session;
      const err = await session.run();
      this.acknowledgedLsn = session.acknowledged() ?? this.acknowledgedLsn;
      this.session = null;
      if (this.stopping) break;
      // A session that got work through, or streamed longer than the longest wait, was healthy.
      if (session.progressed() || session.streamedMs() >= this.backoff.maxMs) this.failures = 0;
      this.failures += 1;
      this.recordFailure(err ?? new ReplicationFailed('the replication session ended'));
      await this.sleep(Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (this.failures - 1)));
    }
  }

  private newSession(): ReplicationSession {
    return new ReplicationSession({
      connectionUrl: this.opts.connectionUrl,
      slot: this.slot,
      publication: this.publication,
      table: this.table,
      broker: this.opts.broker,
      maxBatchSize: this.maxBatchSize,
      connectTimeoutMs: this.connectTimeoutMs,
      log: this.log,
      metrics: this.metrics,
      onStreaming: () => {
        this.state = 'streaming';
        this.lastError = null;
        this.log.info({ slot: this.slot, publication: this.publication }, 'streaming inserted submissions');
      },
    });
  }

  private recordFailure(err: Error): void {
    const described = describeError(err);
    const wasWaiting = this.state === 'waiting_for_slot';
    this.lastError = described;
    if (err instanceof SlotInUse) {
      this.state = 'waiting_for_slot';
      // Waiting is the normal life of a standby relay: say so once, not every retry.
      if (wasWaiting) this.log.debug({ slot: this.slot }, err.message);
      else this.log.info({ slot: this.slot }, err.message);
      return;
    }
    this.state = 'retrying';
    this.metrics.failed(described.code);
    this.log.warn({ slot: this.slot, err: described, consecutiveFailures: this.failures }, 'replication session failed; reconnecting');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
