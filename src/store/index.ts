export type { Store, NewSubmission, Submission, SubmissionStatus, StoredFile } from './Store.js';
export { SqliteStore } from './sqlite/SqliteStore.js';
export { PostgresStore } from './postgres/PostgresStore.js';
export { StoreUnavailable, StoreLocked, MigrationFailed } from './errors.js';
