import { VerdictError } from '../../errors.js';

/**
 * A request Piston itself would refuse, with Piston's own wording ("python-9 runtime is unknown"):
 * its clients may show or even match the message.
 */
export class PistonRequestInvalid extends VerdictError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}
