export { SubmissionService, type CreateSubmissionInput, type SubmissionFileInput, type SubmissionServiceDeps } from './SubmissionService.js';
export { Waiter } from './Waiter.js';
export { resolveLimits, LIMIT_FIELDS, type RequestedLimits } from './limits.js';
export { SubmissionNotFound, PayloadTooLarge } from './errors.js';
export { StatusHub, type StatusListener } from './StatusHub.js';
export { watchStatus, STATUS_POLL_MS, type StatusWatchDeps } from './watchStatus.js';
