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

/**
 * Thrown by a handler that did not start the work (its process is stopping): the message is not
 * handled, and not failed either. The broker keeps it for another delivery without counting an
 * attempt: back in the queue, or left uncommitted for the consumer group to hand elsewhere.
 */
export class HandlerDeclined extends VerdictError {
  constructor(message: string) {
    super('handler_declined', message);
  }
}
