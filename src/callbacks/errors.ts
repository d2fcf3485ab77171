import { VerdictError } from '../errors.js';

/** A callback URL a client sent that this server will not call: malformed, or not public. */
export class CallbackUrlRefused extends VerdictError {
  readonly field: string;

  constructor(message: string, field: string) {
    super('callback_url_refused', message);
    this.field = field;
  }
}

/**
 * At delivery, the callback's host resolved only to addresses it may not reach (a name that
 * pointed elsewhere when the submission was accepted). Not retried: waiting will not make a
 * private address public, and retrying would only probe the internal network again.
 */
export class CallbackDestinationRefused extends VerdictError {
  constructor(message: string) {
    super('callback_destination_refused', message);
  }
}
