import { VerdictError } from '../errors.js';

export class LanguageNotFound extends VerdictError {
  constructor(id: string, available: readonly string[]) {
    super('language_not_found', `language "${id}" is not available; use one of: ${available.join(', ')} (GET /v1/languages lists them)`);
  }
}
