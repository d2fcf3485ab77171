export type { Config, LimitRange, RunLimitsConfig, CompileLimitsConfig } from './Config.js';
export { loadConfig, type ConfigSources } from './load.js';
export { OPTIONS, type OptionSpec } from './options.js';
export { ConfigInvalid } from './errors.js';
