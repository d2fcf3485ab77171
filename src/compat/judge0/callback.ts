import type { CallbackFormatter } from '../../callbacks/index.js';
import { LanguageRegistry } from '../../languages/index.js';
import { DEFAULT_FIELDS, renderSubmission } from './fields.js';
import { Judge0Languages } from './languages.js';

/**
 * What Judge0 sends to a submission's callback_url when it finishes: an HTTP PUT of the default
 * fields, base64-encoded (so any output can be sent). The default fields name no language, so
 * the process that sends it needs no language registry.
 */
export function judge0CallbackFormatter(registry: LanguageRegistry = new LanguageRegistry([])): CallbackFormatter {
  const languages = new Judge0Languages(registry, 0);
  return { format: (submission) => ({ method: 'PUT', body: renderSubmission(submission, DEFAULT_FIELDS, true, languages) }) };
}
