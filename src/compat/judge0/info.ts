import fs from 'node:fs';
import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/index.js';
import type { Metrics } from '../../metrics/Metrics.js';
import type { Judge0Auth } from './auth.js';
import { NOT_FOUND_BODY } from './errors.js';
import type { Judge0Languages } from './languages.js';
import type { Judge0Limits } from './limits.js';
import { STATUSES, statusById } from './statuses.js';
import { MAX_BATCH } from './submissions.js';

/** The Judge0 version this API answers as: the official SDK picks its language ids by it. */
export const JUDGE0_VERSION = '1.13.1';

export interface InfoRouteDeps {
  readonly config: Config;
  readonly languages: Judge0Languages;
  readonly limits: Judge0Limits;
  readonly metrics: Metrics;
  readonly auth: Judge0Auth;
  /** This server's own version, shown beside the Judge0 one. */
  readonly version: string;
}

/**
 * Every field Judge0 CE 1.13.1 returns from /config_info (the SDK's Config model requires them
 * all), with this server's values: what it does not offer is reported as switched off.
 */
function configInfo(config: Config, limits: Judge0Limits) {
  return {
    maintenance_mode: false,
    enable_wait_result: true,
    enable_compiler_options: true,
    allowed_languages_for_compile_options: [] as string[],
    enable_command_line_arguments: true,
    enable_submission_delete: false,
    enable_callbacks: true,
    callbacks_max_tries: config.callbackAttempts,
    callbacks_timeout: config.callbackTimeoutMs / 1000,
    enable_additional_files: true,
    // No queue limit here; Judge0's field is an integer, so the largest 32-bit one stands for it.
    max_queue_size: 2147483647,
    cpu_time_limit: limits.cpu_time_limit.default,
    max_cpu_time_limit: limits.cpu_time_limit.max,
    cpu_extra_time: limits.cpu_extra_time.default,
    max_cpu_extra_time: limits.cpu_extra_time.max,
    wall_time_limit: limits.wall_time_limit.default,
    max_wall_time_limit: limits.wall_time_limit.max,
    memory_limit: limits.memory_limit.default,
    max_memory_limit: limits.memory_limit.max,
    stack_limit: limits.stack_limit.default,
    max_stack_limit: limits.stack_limit.max,
    max_processes_and_or_threads: limits.max_processes_and_or_threads.default,
    max_max_processes_and_or_threads: limits.max_processes_and_or_threads.max,
    enable_per_process_and_thread_time_limit: false,
    allow_enable_per_process_and_thread_time_limit: false,
    enable_per_process_and_thread_memory_limit: false,
    allow_enable_per_process_and_thread_memory_limit: false,
    max_file_size: limits.max_file_size.default,
    max_max_file_size: limits.max_file_size.max,
    number_of_runs: limits.number_of_runs.default,
    max_number_of_runs: limits.number_of_runs.max,
    redirect_stderr_to_stdout: false,
    max_extract_size: config.maxSourceKb,
    enable_batched_submissions: true,
    max_submission_batch_size: MAX_BATCH,
    submission_cache_duration: 0.0,
    use_docs_as_homepage: false,
    allow_enable_network: false,
    enable_network: false,
  };
}

/** Sizes as `free -h` prints them, which is what Judge0's /system_info reports. */
function human(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)}${units[unit]}`;
}

function swapBytes(): number {
  try {
    const kb = /^SwapTotal:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Judge0's status for a verdict in /statistics; the metric keeps no signal, so runtime errors are one. */
const STATUS_BY_VERDICT: Readonly<Record<string, { id: number; name: string }>> = {
  accepted: { id: 3, name: statusById(3).description },
  wrong_answer: { id: 4, name: statusById(4).description },
  time_limit_exceeded: { id: 5, name: statusById(5).description },
  compile_error: { id: 6, name: statusById(6).description },
  runtime_error: { id: 12, name: 'Runtime Error' },
  memory_limit_exceeded: { id: 12, name: 'Runtime Error' },
  output_limit_exceeded: { id: 8, name: statusById(8).description },
  internal_error: { id: 13, name: statusById(13).description },
};

export function judge0InfoRoutes(app: FastifyInstance, deps: InfoRouteDeps): void {
  const { languages } = deps;
  const tags = ['judge0'];
  const doc = (summary: string) => ({ schema: { tags, summary: `Judge0: ${summary}` } });

  app.get('/languages', doc('languages available here'), async () => languages.list().map(({ id, name }) => ({ id, name })));
  app.get('/languages/all', doc('every language, none archived'), async () => languages.list().map(({ id, name }) => ({ id, name, is_archived: false })));
  app.get('/languages/:id', doc('one language and its commands'), async (request, reply) => {
    const raw = (request.params as { id: string }).id;
    const entry = /^\d+$/.test(raw) ? languages.byId(Number(raw)) : null;
    return entry ? languages.detail(entry) : reply.status(404).send(NOT_FOUND_BODY);
  });
  app.get('/statuses', doc('statuses'), async () => STATUSES);

  app.get('/about', doc('about'), async () => ({ version: JUDGE0_VERSION, homepage: null, source_code: null, maintainer: null, verdict_version: deps.version }));
  app.get('/version', doc('version'), async (_request, reply) => reply.type('text/plain; charset=utf-8').send(JUDGE0_VERSION));
  app.get('/config_info', doc('configuration'), async () => configInfo(deps.config, deps.limits));
  app.get('/system_info', doc('system'), async () => ({
    Architecture: os.machine(),
    'CPU(s)': String(os.availableParallelism()),
    'Model name': os.cpus()[0]?.model ?? 'unknown',
    Mem: human(os.totalmem()),
    Swap: human(swapBytes()),
  }));

  app.get('/statistics', doc('counts since this process started'), async () => {
    const now = new Date();
    const accepted = (await deps.metrics.submissionsAccepted.get()).values.reduce((n, v) => n + v.value, 0);
    const byLanguage = new Map<string, number>();
    const byStatus = new Map<number, { status: { id: number; name: string }; count: number }>();
    for (const { labels, value } of (await deps.metrics.submissionsFinished.get()).values) {
      const language = String(labels.language);
      byLanguage.set(language, (byLanguage.get(language) ?? 0) + value);
      const status = STATUS_BY_VERDICT[String(labels.verdict)] ?? { id: 13, name: statusById(13).description };
      const entry = byStatus.get(status.id) ?? { status, count: 0 };
      entry.count += value;
      byStatus.set(status.id, entry);
    }
    return {
      created_at: now.toISOString(),
      cached_until: now.toISOString(),
      submissions: { total: accepted, today: null, last_30_days: {} },
      languages: [...byLanguage].map(([id, count]) => ({ language: languages.forSubmission(id, undefined), count })).sort((a, b) => b.count - a.count),
      statuses: [...byStatus.values()].sort((a, b) => b.count - a.count),
      database: { size_pretty: null, size_in_bytes: null },
    };
  });

  app.get('/workers', doc('the queue as this process sees it'), async () => {
    const depth = (await deps.metrics.queueDepth.get()).values[0]?.value ?? 0;
    const slots = deps.config.slots;
    const working = Math.min(depth, slots);
    return [{ queue: JUDGE0_VERSION, size: Math.max(0, depth - working), available: slots, idle: slots - working, working, paused: 0, failed: 0 }];
  });

  app.post('/authenticate', doc('check X-Auth-Token'), async (_request, reply) => reply.status(200).send());
  app.post('/authorize', { ...doc('check X-Auth-User'), preHandler: deps.auth.authorize }, async (_request, reply) => reply.status(200).send());
}
