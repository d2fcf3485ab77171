import { submissionView } from '../api/view.js';
import type { CallbackFormatter } from './types.js';

/** Verdict's own callback: the JSON GET /v1/submissions/:id answers, POSTed. */
export const nativeFormatter: CallbackFormatter = {
  format: (submission) => ({ method: 'POST', body: submissionView(submission) }),
};
