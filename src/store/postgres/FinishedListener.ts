import pg from 'pg';
import type { SubmissionStatus } from '../Store.js';
import { FINISHED_CHANNEL, STATUS_CHANNEL } from './PostgresStore.js';

export interface FinishedListenerOptions {
  readonly url: string;
  /** Called with the id of every submission whose result was committed. */
  readonly onFinished: (id: string) => void;
  /** Called at every other announced change of state (a claim: running); also listened for only if given. */
  readonly onStatus?: (id: string, status: SubmissionStatus) => void;
  /** Told when the connection drops and when it is back (for logs and readiness). */
  readonly onState?: (connected: boolean, err?: unknown) => void;
  readonly reconnectMs?: number;
}

/**
 * LISTENs on the channel the store NOTIFYs when a result commits (and, given `onStatus`, on the
 * one it NOTIFYs when a claim commits), on a connection of its own
 * (a pooled one would lose the LISTEN when returned). Notifications sent while disconnected are
 * lost, which is why waiters also re-read the store now and then: this is only the fast path.
 */
export class FinishedListener {
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private connected = false;

  constructor(private readonly opts: FinishedListenerOptions) {}

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.opts.url, connectionTimeoutMillis: 5000 });
    this.client = client;
    const lost = (err?: unknown): void => {
      if (this.client !== client) return;
      this.client = null;
      if (this.connected) this.opts.onState?.(false, err);
      this.connected = false;
      client.end().catch(() => undefined);
      if (!this.stopped) this.timer = setTimeout(() => void this.connect(), this.opts.reconnectMs ?? 1000);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (n) => {
      if (n.channel === FINISHED_CHANNEL && n.payload) this.opts.onFinished(n.payload);
      if (n.channel === STATUS_CHANNEL && n.payload) {
        const at = n.payload.lastIndexOf(':');
        this.opts.onStatus?.(n.payload.slice(0, at), n.payload.slice(at + 1) as SubmissionStatus);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${FINISHED_CHANNEL}`);
      if (this.opts.onStatus) await client.query(`LISTEN ${STATUS_CHANNEL}`);
      if (this.client !== client) return;
      this.connected = true;
      this.opts.onState?.(true);
    } catch (err) {
      lost(err);
    }
  }
}
