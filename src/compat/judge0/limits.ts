import type { Config } from '../../config/index.js';
import type { RequestedLimits } from '../../submissions/index.js';

export interface Judge0Range {
  readonly default: number;
  readonly max: number;
}

/**
 * The limits the Judge0 API offers, in Judge0's units (seconds, KB). Each maximum is the lower
 * of stock Judge0's and this server's: a client written against Judge0 never meets a larger
 * limit than it knows, and no request can raise a limit past what this server allows. Each
 * default is this server's (our languages are sized for it; Judge0's 128000 KB starves a JVM
 * here), lowered to the maximum if need be.
 */
export interface Judge0Limits {
  readonly cpu_time_limit: Judge0Range;
  readonly cpu_extra_time: Judge0Range;
  readonly wall_time_limit: Judge0Range;
  readonly memory_limit: Judge0Range;
  readonly stack_limit: Judge0Range;
  readonly max_processes_and_or_threads: Judge0Range;
  readonly max_file_size: Judge0Range;
  readonly number_of_runs: Judge0Range;
}

/** Judge0 CE 1.13.1's shipped defaults and maxima. */
const STOCK_MAX = {
  cpu_time_limit: 15,
  cpu_extra_time: 5,
  wall_time_limit: 20,
  memory_limit: 512000,
  stack_limit: 128000,
  max_processes_and_or_threads: 120,
  max_file_size: 4096,
};

function range(ours: { default: number; max: number }, scale: number, stockMax: number): Judge0Range {
  const max = Math.min(stockMax, ours.max / scale);
  return { default: Math.min(ours.default / scale, max), max };
}

export function judge0Limits(config: Config): Judge0Limits {
  const run = config.runLimits;
  return {
    cpu_time_limit: range(run.cpuTimeMs, 1000, STOCK_MAX.cpu_time_limit),
    // Accepted and echoed; it changes no verdict (a program over its CPU limit is a TLE in
    // Judge0 too, the extra time only delays the kill).
    cpu_extra_time: { default: 1, max: STOCK_MAX.cpu_extra_time },
    wall_time_limit: range(run.wallTimeMs, 1000, STOCK_MAX.wall_time_limit),
    memory_limit: range(run.memoryKb, 1, STOCK_MAX.memory_limit),
    stack_limit: range(run.stackKb, 1, STOCK_MAX.stack_limit),
    max_processes_and_or_threads: range(run.processes, 1, STOCK_MAX.max_processes_and_or_threads),
    max_file_size: range(run.fileSizeKb, 1, STOCK_MAX.max_file_size),
    // Each submission runs once; Judge0's repeated runs only averaged time and memory.
    number_of_runs: { default: 1, max: 1 },
  };
}

/** The Judge0 limit fields a request gave, already checked against `judge0Limits`. */
export type Judge0LimitValues = Partial<Record<keyof Judge0Limits, number>>;

/**
 * Our limits for Judge0's. Where Judge0's sandbox reads 0 as "no limit" (CPU time, stack, file
 * size), the maximum stands in. Judge0's stdout is a file, so its file size limit also caps the
 * output; ours caps stdout and stderr together.
 */
export function toRequestedLimits(values: Judge0LimitValues, limits: Judge0Limits, config: Config): RequestedLimits {
  const orMax = (field: 'cpu_time_limit' | 'stack_limit' | 'max_file_size'): number | undefined =>
    values[field] === undefined ? undefined : values[field] === 0 ? limits[field].max : values[field];
  const seconds = (s: number | undefined): number | undefined => (s === undefined ? undefined : Math.max(1, Math.round(s * 1000)));
  const fileSizeKb = orMax('max_file_size');
  return {
    cpu_time_ms: seconds(orMax('cpu_time_limit')),
    wall_time_ms: seconds(values.wall_time_limit),
    memory_kb: values.memory_limit,
    stack_kb: orMax('stack_limit'),
    processes: values.max_processes_and_or_threads,
    file_size_kb: fileSizeKb,
    output_kb: fileSizeKb === undefined ? undefined : Math.min(fileSizeKb, config.runLimits.outputKb.max),
  };
}

/** Judge0 prints decimals as Ruby's BigDecimal does: "0.012", "5.0", never "5". */
export function decimal(n: number): string {
  const text = String(n);
  return /[.e]/.test(text) ? text : `${text}.0`;
}
