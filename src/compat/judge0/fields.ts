import { isUtf8 } from 'node:buffer';
import type { Submission } from '../../store/index.js';
import { Judge0BadRequest, NotUtf8 } from './errors.js';
import type { Judge0Languages } from './languages.js';
import { decimal } from './limits.js';
import { judge0Outcome, statusById } from './statuses.js';

/** Every attribute of a Judge0 submission, in the order Judge0 renders them (its table's columns). */
const ALL_FIELDS = [
  'source_code', 'language_id', 'stdin', 'expected_output', 'stdout', 'status_id', 'created_at', 'finished_at',
  'time', 'memory', 'stderr', 'token', 'number_of_runs', 'cpu_time_limit', 'cpu_extra_time', 'wall_time_limit',
  'memory_limit', 'stack_limit', 'max_processes_and_or_threads', 'enable_per_process_and_thread_time_limit',
  'enable_per_process_and_thread_memory_limit', 'max_file_size', 'compile_output', 'exit_code', 'exit_signal',
  'message', 'wall_time', 'compiler_options', 'command_line_arguments', 'redirect_stderr_to_stdout', 'callback_url',
  'additional_files', 'enable_network', 'status', 'language',
] as const;
export type Field = (typeof ALL_FIELDS)[number];

export const DEFAULT_FIELDS: readonly Field[] = ['token', 'time', 'memory', 'stdout', 'stderr', 'compile_output', 'message', 'status'];

/**
 * The `fields` query parameter as Judge0 reads it: comma-separated, not trimmed, `*` for all,
 * none for the defaults; any unknown name is a 400 listing them all.
 */
export function requestedFields(param: unknown): readonly Field[] {
  const names = typeof param === 'string' ? param.split(',') : [];
  // Ruby's split drops trailing empty strings; an empty parameter means no field was named.
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  const known = new Set<string>(ALL_FIELDS);
  const invalid = names.filter((n) => n !== '*' && !known.has(n));
  if (invalid.length > 0) throw new Judge0BadRequest(`invalid fields: [${invalid.join(', ')}]`);
  if (names.includes('*')) return ALL_FIELDS;
  return names.length > 0 ? ALL_FIELDS.filter((f) => names.includes(f)) : DEFAULT_FIELDS;
}

/** The request fields a Judge0 submission keeps to echo back (`options.compat`). */
export interface Judge0Echo {
  readonly language_id?: number;
  readonly number_of_runs?: number;
  readonly cpu_time_limit?: number;
  readonly cpu_extra_time?: number;
  readonly wall_time_limit?: number;
  readonly memory_limit?: number;
  readonly stack_limit?: number;
  readonly max_processes_and_or_threads?: number;
  readonly max_file_size?: number;
  readonly compiler_options?: string | null;
  readonly command_line_arguments?: string | null;
  readonly callback_url?: string | null;
  readonly additional_files?: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const seconds = (ms: number | null): string | null => (ms === null ? null : decimal(ms / 1000));

/**
 * A submission as Judge0 renders it. With base64 every text attribute (and `message`) is sent
 * as base64; without it, one that is not valid UTF-8 makes the whole answer a 400, as in Judge0.
 */
export function renderSubmission(s: Submission, fields: readonly Field[], base64: boolean, languages: Judge0Languages): Record<string, unknown> {
  const echo = (s.options.compat?.judge0 ?? {}) as Judge0Echo;
  const outcome = judge0Outcome(s);
  const text = (b: Buffer | null): string | null => {
    if (b === null) return null;
    if (base64) return b.toString('base64');
    if (!isUtf8(b)) throw new NotUtf8();
    return b.toString('utf8');
  };
  const language = languages.forSubmission(s.language, echo.language_id);
  const joined = (list: readonly string[]): string | null => (list.length > 0 ? list.join(' ') : null);
  const value = (field: Field): unknown => {
    switch (field) {
      case 'source_code': return text(s.files[0]?.content ?? null);
      case 'language_id': return language.id;
      case 'stdin': return text(s.stdin.length > 0 ? s.stdin : null);
      case 'expected_output': return text(s.expectedOutput);
      case 'stdout': return text(outcome.stdout);
      case 'status_id': return outcome.statusId;
      case 'created_at': return iso(s.createdAt);
      case 'finished_at': return iso(s.finishedAt);
      case 'time': return seconds(outcome.timeMs);
      case 'memory': return outcome.memoryKb;
      case 'stderr': return text(outcome.stderr);
      case 'token': return s.id;
      case 'number_of_runs': return echo.number_of_runs ?? 1;
      case 'cpu_time_limit': return decimal(echo.cpu_time_limit ?? s.limits.cpuTimeMs / 1000);
      case 'cpu_extra_time': return decimal(echo.cpu_extra_time ?? 1);
      case 'wall_time_limit': return decimal(echo.wall_time_limit ?? s.limits.wallTimeMs / 1000);
      case 'memory_limit': return echo.memory_limit ?? s.limits.memoryKb;
      case 'stack_limit': return echo.stack_limit ?? s.limits.stackKb;
      case 'max_processes_and_or_threads': return echo.max_processes_and_or_threads ?? s.limits.processes;
      case 'enable_per_process_and_thread_time_limit': return false;
      case 'enable_per_process_and_thread_memory_limit': return false;
      case 'max_file_size': return echo.max_file_size ?? s.limits.fileSizeKb;
      case 'compile_output': return text(outcome.compileOutput);
      case 'exit_code': return outcome.exitCode;
      case 'exit_signal': return outcome.exitSignal;
      case 'message': return outcome.message === null ? null : base64 ? Buffer.from(outcome.message).toString('base64') : outcome.message;
      case 'wall_time': return seconds(outcome.wallTimeMs);
      case 'compiler_options': return echo.compiler_options !== undefined ? echo.compiler_options : joined(s.compileOptions);
      case 'command_line_arguments': return echo.command_line_arguments !== undefined ? echo.command_line_arguments : joined(s.args);
      case 'redirect_stderr_to_stdout': return false;
      case 'callback_url': return echo.callback_url ?? s.options.callback?.url ?? null;
      case 'additional_files': return echo.additional_files ?? null;
      case 'enable_network': return false;
      case 'status': return { ...statusById(outcome.statusId) };
      case 'language': return language;
    }
  };
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field] = value(field);
  return out;
}
