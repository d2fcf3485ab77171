import type { Registry } from 'prom-client';
import { CallbackDispatcher, HttpCallbackSender, PromCallbackMetrics, type CallbackFormatters } from '../callbacks/index.js';
import { judge0CallbackFormatter } from '../compat/judge0/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/logger.js';

/**
 * Callback formats beyond Verdict's own, by format name. A compatibility API registers the
 * formatter its clients expect here (e.g. `judge0`); a format without one is sent as the native
 * view, with a warning.
 */
const CALLBACK_FORMATTERS: CallbackFormatters = { judge0: judge0CallbackFormatter() };

/** The dispatcher of a process that stores results (standalone, or a worker). */
export function createCallbackDispatcher(config: Config, log: Logger, registry: Registry): CallbackDispatcher {
  return new CallbackDispatcher({
    sender: new HttpCallbackSender({ allowPrivate: config.callbackAllowPrivate, timeoutMs: config.callbackTimeoutMs }),
    formatters: CALLBACK_FORMATTERS,
    metrics: new PromCallbackMetrics(registry),
    log,
    maxAttempts: config.callbackAttempts,
    baseDelayMs: config.callbackBaseDelayMs,
  });
}
