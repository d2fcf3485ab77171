export { CallbackDispatcher, type CallbackDispatcherOptions } from './CallbackDispatcher.js';
export { HttpCallbackSender, type HttpCallbackSenderOptions } from './HttpCallbackSender.js';
export { CallbackUrlPolicy, CALLBACK_URL_MAX_LENGTH, type CallbackUrlPolicyOptions, type ResolveHost } from './url.js';
export { isPublicAddress } from './address.js';
export { nativeFormatter } from './formatters.js';
export { PromCallbackMetrics, type CallbackMetrics, type CallbackResult } from './metrics.js';
export { CallbackUrlRefused, CallbackDestinationRefused } from './errors.js';
export type { CallbackFormat, CallbackFormatter, CallbackFormatters, CallbackLogger, CallbackRequest, CallbackSender } from './types.js';
