import type { RunLimitsConfig } from '../config/index.js';
import { InvalidSubmission } from '../judge/index.js';
import type { SandboxLimits } from '../sandbox/index.js';

/** The limits object of the HTTP API, in its snake_case names. */
export interface RequestedLimits {
  readonly cpu_time_ms?: number;
  readonly wall_time_ms?: number;
  readonly memory_kb?: number;
  readonly processes?: number;
  readonly output_kb?: number;
  readonly file_size_kb?: number;
  readonly stack_kb?: number;
}

export const LIMIT_FIELDS: ReadonlyArray<readonly [keyof RequestedLimits, keyof SandboxLimits]> = [
  ['cpu_time_ms', 'cpuTimeMs'],
  ['wall_time_ms', 'wallTimeMs'],
  ['memory_kb', 'memoryKb'],
  ['processes', 'processes'],
  ['output_kb', 'outputKb'],
  ['file_size_kb', 'fileSizeKb'],
  ['stack_kb', 'stackKb'],
];

/** A request may lower any limit, never raise one past the server's maximum. */
export function resolveLimits(requested: RequestedLimits | undefined, config: RunLimitsConfig): SandboxLimits {
  const out: Record<string, number> = {};
  for (const [field, key] of LIMIT_FIELDS) {
    const range = config[key];
    const value = requested?.[field];
    if (value === undefined) {
      out[key] = range.default;
      continue;
    }
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidSubmission(`limits.${field} must be a whole number >= 1; got ${value}`, `limits.${field}`);
    }
    if (value > range.max) {
      throw new InvalidSubmission(`limits.${field} is ${value}, above this server's maximum of ${range.max}; ask for ${range.max} or less`, `limits.${field}`);
    }
    out[key] = value;
  }
  return out as unknown as SandboxLimits;
}
