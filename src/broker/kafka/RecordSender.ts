import type { Producer } from '@platformatic/kafka';
import { BrokerStopped, BrokerUnavailable } from '../errors.js';
import type { OutgoingRecord } from './records.js';

export type StringProducer = Producer<string, string, string, string>;

/**
 * Sends records through an idempotent producer, replacing the producer after any send that fails.
 * The client keeps a failed batch's sequence numbers for the next batch; had the broker appended
 * the failed one after all (a lost acknowledgement), a next batch of the same size would be taken
 * for its duplicate and silently dropped. A new producer gets a new producer id and starts its
 * sequences afresh: the worst case becomes one duplicate record, which consumers tolerate.
 * Retries inside one send are safe: they resend the same batch with the same sequence.
 */
export class RecordSender {
  private producer: StringProducer;
  private readonly retiring = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly create: () => StringProducer) {
    this.producer = create();
  }

  /** Resolves once the broker acknowledged every record (acks=all). */
  async send(records: OutgoingRecord[]): Promise<void> {
    if (this.closed) throw new BrokerStopped('the Kafka broker adapter was stopped');
    if (records.length === 0) return;
    const producer = this.producer;
    try {
      await producer.send({ messages: records });
    } catch (err) {
      if (this.producer === producer && !this.closed) {
        this.producer = this.create();
        this.retire(producer);
      }
      throw new BrokerUnavailable(`Kafka did not acknowledge ${records.length} record(s): ${reason(err)}`, err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.retire(this.producer);
    await Promise.all(this.retiring);
  }

  private retire(producer: StringProducer): void {
    const done = closeClient(producer).finally(() => this.retiring.delete(done));
    this.retiring.add(done);
  }
}

/**
 * Closes a client even when the orderly close fails (it talks to the broker first): whatever
 * happens, no socket may stay open, or the process could not exit.
 */
export async function closeClient(client: { close(force?: boolean): Promise<void>; connections: { close(): Promise<void> } }): Promise<void> {
  try {
    await client.close(true);
  } catch {
    await client.connections.close().catch(() => {});
  }
}

/** The client nests the real cause under aggregate errors; the innermost message says most. */
export function reason(err: unknown): string {
  let e: unknown = err;
  while (e instanceof AggregateError && e.errors.length > 0) e = e.errors[e.errors.length - 1];
  return e instanceof Error ? e.message : String(e);
}
