import { VerdictError } from '../errors.js';

export class StoreUnavailable extends VerdictError {
  constructor(message: string, cause?: unknown) {
    super('store_unavailable', message, { cause });
  }
}

export class StoreLocked extends VerdictError {
  constructor(message: string, cause?: unknown) {
    super('store_locked', message, { cause });
  }
}

export class MigrationFailed extends VerdictError {
  constructor(message: string, cause?: unknown) {
    super('migration_failed', message, { cause });
  }
}
