export { judge0Routes, type Judge0Deps } from './plugin.js';
export type { Judge0SubmissionService } from './submissions.js';
export { JUDGE0_VERSION } from './info.js';
export { judge0CallbackFormatter } from './callback.js';
