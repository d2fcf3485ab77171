export { SubmissionService, type CreateSubmissionInput, type SubmissionFileInput, type SubmissionServiceDeps } from './SubmissionService.js';
export { Waiter } from './Waiter.js';
export { resolveLimits, LIMIT_FIELDS, type RequestedLimits } from './limits.js';
export { SubmissionNotFound, PayloadTooLarge } from './errors.js';
