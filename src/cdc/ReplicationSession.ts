import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import type { Broker } from '../broker/index.js';
import { takeBatch, type PendingCommit } from './batch.js';
import { MalformedChange, PublishFailed, ReplicationFailed } from './errors.js';
import { formatLsn, parseLsn, type Lsn } from './lsn.js';
import { describeError, type RelayLogger } from './logger.js';
import type { RelayMetrics } from './metrics.js';
import { asReplicationError, prepareSlot, waitForConfirmed } from './slot.js';

export interface SessionOptions {
  readonly connectionUrl: string;
  readonly slot: string;
  readonly publication: string;
  readonly table: string;
  readonly broker: Pick<Broker, 'publish'>;
  readonly maxBatchSize: number;
  readonly connectTimeoutMs: number;
  readonly log: RelayLogger;
  readonly metrics: RelayMetrics;
  readonly onStreaming: () => void;
}

/** How long a graceful close waits for the slot to show the last acknowledgement. */
const CONFIRM_TIMEOUT_MS = 2000;
const STOP_TIMEOUT_MS = 5000;

/**
 * One replication connection, used once: after any failure the relay builds a new session, because
 * a reused LogicalReplicationService resumes from the last *received* position and would skip
 * whatever was received but never published. A fresh one starts at 0/0, which the server reads as
 * "from the slot's confirmed_flush_lsn".
 */
export class ReplicationSession {
  private service: LogicalReplicationService | null = null;
  private txnIds: string[] | null = null;
  private readonly pending: PendingCommit[] = [];
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  private acknowledgedLsn: Lsn | null = null;
  private streaming = false;
  private streamingSince = 0;
  private closing = false;
  private done = false;
  private slotConfirmedLsn: Lsn | null = null;
  private resolveEnded!: (err: Error | null) => void;
  private readonly ended = new Promise<Error | null>((resolve) => {
    this.resolveEnded = resolve;
  });
  private madeProgress = false;

  constructor(private readonly opts: SessionOptions) {}

  /** Resolves when the session is over: with the error that ended it, or null after close(). */
  async run(): Promise<Error | null> {
    try {
      const slot = await prepareSlot(this.opts.connectionUrl, this.opts.slot, this.opts.connectTimeoutMs, this.opts.log);
      if (this.done) return this.ended;
      this.acknowledgedLsn = slot.confirmedFlush;
      this.slotConfirmedLsn = slot.confirmedFlush;
      const service = new LogicalReplicationService(
        { connectionString: this.opts.connectionUrl, connectionTimeoutMillis: this.opts.connectTimeoutMs },
        // timeoutSeconds 0: the library's own timer would acknowledge the last *received* position.
        { acknowledge: { auto: false, timeoutSeconds: 0 } },
      );
      this.service = service;
      service.on('start', () => this.onStart());
      service.on('data', (lsn: string, message: Pgoutput.Message) => this.onData(lsn, message));
      service.on('heartbeat', (lsn: string, _timestamp: number, shouldRespond: boolean) => this.onHeartbeat(lsn, shouldRespond));
      service.on('error', (err: Error) => this.fail(err));
      const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [this.opts.publication] });
      service.subscribe(plugin, this.opts.slot).then(
        () => this.fail(new ReplicationFailed('the server ended the replication stream')),
        (err: unknown) => this.fail(err),
      );
    } catch (err) {
      this.fail(err);
    }
    return this.ended;
  }

  /** Stops streaming: the publish in flight finishes and is acknowledged; later ones are resent to the next relay. */
  async close(): Promise<void> {
    if (!this.done && !this.closing) {
      this.closing = true;
      await this.drained;
      if (!this.done) {
        this.done = true;
        if (this.streaming) await this.confirmAcknowledged();
        await this.shutdown();
        this.resolveEnded(null);
      }
    }
    await this.ended;
  }

  /** The position the slot confirmed or that this session acknowledged, whichever is later. */
  acknowledged(): string | null {
    return this.acknowledgedLsn === null ? null : formatLsn(this.acknowledgedLsn);
  }

  /** True once ids were published and acknowledged: the pipeline worked end to end. */
  progressed(): boolean {
    return this.madeProgress;
  }

  /** How long the stream has been open, 0 if it never opened. */
  streamedMs(): number {
    return this.streamingSince === 0 ? 0 : Date.now() - this.streamingSince;
  }

  private onStart(): void {
    if (this.done) return;
    this.streaming = true;
    this.streamingSince = Date.now();
    this.opts.metrics.connected(true);
    this.opts.onStreaming();
  }

  private onData(lsn: string, message: Pgoutput.Message): void {
    if (this.done || this.closing) return;
    try {
      if (message.tag === 'begin') {
        this.txnIds = [];
      } else if (message.tag === 'insert' && message.relation.name === this.opts.table) {
        const id: unknown = message.new.id;
        if (typeof id !== 'string' || id === '') {
          throw new MalformedChange(`an inserted ${this.opts.table} row has no text id at ${lsn}`);
        }
        (this.txnIds ??= []).push(id);
      } else if (message.tag === 'commit') {
        const commitTimeUs = message.commitTime as unknown as bigint;
        this.pending.push({
          ids: this.txnIds ?? [],
          endLsn: parseLsn(message.commitEndLsn ?? lsn),
          commitTimeMs: Number(commitTimeUs / 1000n),
        });
        this.txnIds = null;
        this.drainSoon();
      }
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * The server asks for a reply within wal_sender_timeout. Messages arrive in order, so when no
   * transaction is open and nothing waits for the broker, every transaction before the keepalive's
   * position was published and acknowledged (or had no rows for us): acknowledging that position is
   * safe and lets the server free WAL written by other tables. Otherwise only the last
   * acknowledged position is repeated, never what was merely received.
   */
  private onHeartbeat(lsn: string, shouldRespond: boolean): void {
    if (this.done) return;
    try {
      const serverLsn = parseLsn(lsn);
      const idle = this.txnIds === null && this.pending.length === 0 && !this.draining && !this.closing;
      if (idle && this.acknowledgedLsn !== null && serverLsn > this.acknowledgedLsn) {
        this.acknowledge(serverLsn);
      } else if (shouldRespond && this.acknowledgedLsn !== null) {
        this.sendStatus(this.acknowledgedLsn, false);
      }
    } catch (err) {
      // Thrown from inside the library's socket handler it would crash the process.
      this.fail(err);
    }
  }

  private drainSoon(): void {
    if (this.draining) return;
    this.draining = true;
    this.drained = this.drain();
  }

  /** One publish at a time keeps acknowledgements in commit order: a later one never covers an unpublished earlier one. */
  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0 && !this.done && !this.closing) await this.publishNext();
    } catch (err) {
      this.fail(err);
    } finally {
      this.draining = false;
    }
  }

  private async publishNext(): Promise<void> {
    const batch = takeBatch(this.pending, this.opts.maxBatchSize);
    const ids = batch.flatMap((commit) => commit.ids);
    for (let i = 0; i < ids.length && !this.done; i += this.opts.maxBatchSize) {
      const chunk = ids.slice(i, i + this.opts.maxBatchSize);
      try {
        await this.opts.broker.publish(chunk.map((id) => ({ id })));
      } catch (err) {
        throw new PublishFailed(chunk.length, err);
      }
      this.opts.metrics.published(chunk.length);
    }
    // A dead connection cannot carry the acknowledgement; the server resends these to the next session.
    if (this.done) return;
    this.acknowledge(batch[batch.length - 1].endLsn);
    const now = Date.now();
    for (const commit of batch) this.opts.metrics.acknowledged((now - commit.commitTimeMs) / 1000);
    if (ids.length > 0) this.madeProgress = true;
  }

  private acknowledge(lsn: Lsn): void {
    if (this.acknowledgedLsn !== null && lsn < this.acknowledgedLsn) return;
    this.acknowledgedLsn = lsn;
    this.sendStatus(lsn, false);
  }

  /**
   * The library reports `lsn + 1` as written, flushed and applied; passing one less makes the
   * slot's confirmed_flush_lsn exactly the commit's end, as PostgreSQL's own subscribers report it.
   * Before PostgreSQL 17 the server takes the flush position as is, even backwards, so only the
   * slot's own confirmed position or later is ever sent.
   */
  private sendStatus(lsn: Lsn, requestReply: boolean): void {
    this.service?.acknowledge(formatLsn(lsn - 1n), requestReply).catch((err: unknown) => this.fail(err));
  }

  /**
   * The library can only end the connection by destroying its socket, which may discard an
   * acknowledgement the server has not read yet; the slot itself says when it has.
   */
  private async confirmAcknowledged(): Promise<void> {
    const lsn = this.acknowledgedLsn;
    if (lsn === null || lsn === this.slotConfirmedLsn) return;
    this.sendStatus(lsn, false);
    try {
      const confirmed = await waitForConfirmed(this.opts.connectionUrl, this.opts.slot, lsn, CONFIRM_TIMEOUT_MS);
      if (!confirmed) this.opts.log.warn({ slot: this.opts.slot, lsn: formatLsn(lsn) }, 'the server did not confirm the last acknowledgement in time; its transactions will be published again');
    } catch (err) {
      this.opts.log.warn({ slot: this.opts.slot, err: describeError(err) }, 'cannot check the last acknowledgement; its transactions may be published again');
    }
  }

  private fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    const error = asReplicationError(err, this.opts.slot);
    void this.shutdown()
      .then(() => this.drained)
      .then(() => this.resolveEnded(error));
  }

  private async shutdown(): Promise<void> {
    if (this.streaming) this.opts.metrics.connected(false);
    this.streaming = false;
    const service = this.service;
    if (!service) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_TIMEOUT_MS);
    });
    await Promise.race([service.stop().then(() => undefined, () => undefined), timeout]);
    clearTimeout(timer);
  }
}
