export type { Language, LanguageSpec, Step, StepContext, StepCache } from './Language.js';
export { CATALOG, BASE_ENV } from './catalog.js';
export { LanguageRegistry, type ProbeDeps, type Unavailable } from './LanguageRegistry.js';
export { LanguageNotFound } from './errors.js';
