import { VerdictError } from '../errors.js';

/**
 * The message broker could not be reached or did not acknowledge in time. Nothing was lost: a
 * publish that rejects with it may be retried (the caller still holds the message), and a
 * consumer keeps retrying on its own and reports each failure through its error hook.
 */
export class BrokerUnavailable extends VerdictError {
  constructor(message: string, cause?: unknown) {
    super('broker_unavailable', message, { cause });
  }
}

/** The broker was stopped: it publishes and delivers nothing more. */
export class BrokerStopped extends VerdictError {
  constructor(message: string) {
    super('broker_stopped', message);
  }
}
