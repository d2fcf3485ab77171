export type { Store, NewSubmission, Submission, SubmissionStatus, StoredFile, SubmissionOptions, CallbackSpec } from './Store.js';
export { SqliteStore } from './sqlite/SqliteStore.js';
export { PostgresStore } from './postgres/PostgresStore.js';
export { StoreUnavailable, StoreLocked, MigrationFailed } from './errors.js';
export { FinishedListener, type FinishedListenerOptions } from './postgres/FinishedListener.js';
export type { LanguageReport } from './postgres/PostgresStore.js';
