import { VerdictError } from '../errors.js';

/** A relay or sweeper option that cannot work: raised at construction, before anything connects. */
export class InvalidRelayOptions extends VerdictError {
  constructor(message: string) {
    super('cdc_invalid_options', message);
  }
}

/** Another connection streams from the slot: the relay that holds it is the singleton. */
export class SlotInUse extends VerdictError {
  constructor(slot: string, cause?: unknown) {
    super('cdc_slot_in_use', `replication slot "${slot}" is held by another connection (another relay?); waiting for it`, { cause });
  }
}

/** A slot with the relay's name exists but cannot serve it (physical, or another output plugin). */
export class SlotMisconfigured extends VerdictError {
  constructor(message: string) {
    super('cdc_slot_misconfigured', message);
  }
}

/** The replication connection failed, ended, or the library reported an error. */
export class ReplicationFailed extends VerdictError {
  constructor(message: string, cause?: unknown) {
    super('cdc_replication_failed', message, { cause });
  }
}

/** The broker did not acknowledge a batch: nothing after it is acknowledged to PostgreSQL. */
export class PublishFailed extends VerdictError {
  constructor(count: number, cause?: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('cdc_publish_failed', `the broker did not accept ${count} submission id(s): ${reason}`, { cause });
  }
}

/** An inserted row the relay cannot turn into a message (no text `id` column). */
export class MalformedChange extends VerdictError {
  constructor(message: string) {
    super('cdc_malformed_change', message);
  }
}

/** The sweeper could not list or republish stranded submissions; it tries again next interval. */
export class SweepFailed extends VerdictError {
  constructor(message: string, cause?: unknown) {
    super('cdc_sweep_failed', message, { cause });
  }
}
