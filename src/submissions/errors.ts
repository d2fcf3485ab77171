import { VerdictError } from '../errors.js';

export class SubmissionNotFound extends VerdictError {
  constructor(id: string) {
    super('submission_not_found', `no submission has the id "${id}"`);
  }
}

export class PayloadTooLarge extends VerdictError {
  readonly field: string;

  constructor(field: string, sizeBytes: number, maxKb: number, setting: string) {
    super('payload_too_large', `${field} is ${(sizeBytes / 1024).toFixed(1)} KiB, above this server's maximum of ${maxKb} KiB (${setting})`);
    this.field = field;
  }
}
