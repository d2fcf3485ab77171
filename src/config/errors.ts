import { VerdictError } from '../errors.js';

/** A setting is missing, malformed or out of range; the message names the setting's sources. */
export class ConfigInvalid extends VerdictError {
  constructor(message: string) {
    super('config_invalid', message);
  }
}
