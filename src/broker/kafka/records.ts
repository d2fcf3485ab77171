import type { Message, MessageToProduce } from '@platformatic/kafka';

/**
 * The record format on the three topics. The value is only `{"id": ...}` and the key the same id,
 * so any producer (the relay, a change-data-capture connector) can publish work; retry state rides
 * in headers, which such producers leave out.
 */
export type ConsumedRecord = Message<string, string, string, string>;
export type OutgoingRecord = MessageToProduce<string, string, string, string>;

/** Which delivery of the message this record carries: 1 on the main topic. */
const ATTEMPT_HEADER = 'verdict-attempt';
/** Epoch ms before which a retry must not run: the retry delay survives a consumer restart. */
const NOT_BEFORE_HEADER = 'verdict-not-before';
/** Why a record reached the dead-letter topic. */
const ERROR_HEADER = 'verdict-error';

/** A record as the dispatcher sees it; `id` is null when the value is not a submission message. */
export interface Delivery {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly id: string | null;
  readonly value: string;
  readonly attempt: number;
  readonly notBeforeMs: number;
}

export function submissionRecord(topic: string, id: string): OutgoingRecord {
  return { topic, key: id, value: JSON.stringify({ id }) };
}

function decodeId(value: string | undefined): string | null {
  if (value === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id.length > 0 ? id : null;
  } catch {
    return null;
  }
}

function positiveInt(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

export function decode(record: ConsumedRecord): Delivery {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    id: decodeId(record.value),
    value: record.value ?? '',
    attempt: positiveInt(record.headers.get(ATTEMPT_HEADER), 1),
    notBeforeMs: positiveInt(record.headers.get(NOT_BEFORE_HEADER), 0),
  };
}

export function retryRecord(topic: string, d: Delivery, notBeforeMs: number): OutgoingRecord {
  return {
    topic,
    key: d.id ?? undefined,
    value: d.value,
    headers: { [ATTEMPT_HEADER]: String(d.attempt + 1), [NOT_BEFORE_HEADER]: String(notBeforeMs) },
  };
}

export function deadLetterRecord(topic: string, d: Delivery, err: unknown): OutgoingRecord {
  const reason = err instanceof Error ? err.message : String(err);
  return {
    topic,
    key: d.id ?? undefined,
    value: d.value,
    headers: { [ATTEMPT_HEADER]: String(d.attempt), [ERROR_HEADER]: reason.slice(0, 1000) },
  };
}
