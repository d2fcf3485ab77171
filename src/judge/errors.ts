import { VerdictError } from '../errors.js';

export class InvalidSubmission extends VerdictError {
  readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super('invalid_request', message);
    this.field = field;
  }
}
