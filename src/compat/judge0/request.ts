import { isUtf8 } from 'node:buffer';
import type { Config } from '../../config/index.js';
import { VerdictError } from '../../errors.js';
import type { NewSubmission } from '../../store/index.js';
import type { CreateSubmissionInput, SubmissionFileInput } from '../../submissions/index.js';
import { Judge0Invalid, type FieldErrors } from './errors.js';
import type { Judge0Echo } from './fields.js';
import type { Judge0Languages } from './languages.js';
import { decimal, toRequestedLimits, type Judge0LimitValues, type Judge0Limits } from './limits.js';
import { splitWords, UnbalancedQuote } from './words.js';
import { ArchiveRejected, extractArchive } from './zip.js';

export interface RequestDeps {
  readonly config: Config;
  readonly languages: Judge0Languages;
  readonly limits: Judge0Limits;
  validate(input: CreateSubmissionInput): NewSubmission;
}

/** Judge0's numeric validations: the lower bound, whether it is inclusive, and integer columns. */
const NUMERIC: ReadonlyArray<{ field: keyof Judge0Limits; min: number; inclusive: boolean; integer: boolean }> = [
  { field: 'number_of_runs', min: 0, inclusive: false, integer: true },
  { field: 'cpu_time_limit', min: 0, inclusive: true, integer: false },
  { field: 'cpu_extra_time', min: 0, inclusive: true, integer: false },
  { field: 'wall_time_limit', min: 1, inclusive: true, integer: false },
  { field: 'memory_limit', min: 2048, inclusive: true, integer: true },
  { field: 'stack_limit', min: 0, inclusive: true, integer: true },
  { field: 'max_processes_and_or_threads', min: 0, inclusive: false, integer: true },
  { field: 'max_file_size', min: 0, inclusive: true, integer: true },
];

/** What Judge0 may not do here, and why: each a 422 on its field when set to true. */
const REFUSED_FLAGS: Readonly<Record<string, string>> = {
  redirect_stderr_to_stdout: 'this option cannot be enabled: this server keeps stdout and stderr apart',
  enable_network: 'enabling network is not allowed',
  enable_per_process_and_thread_time_limit: 'this option cannot be enabled',
  enable_per_process_and_thread_memory_limit: 'this option cannot be enabled',
};

/** Where a field named by the submission service lives in a Judge0 request. */
function judge0Field(field: string | undefined): string {
  if (!field) return 'base';
  if (field === 'source' || field.startsWith('files[0]')) return 'source_code';
  if (field.startsWith('files')) return 'additional_files';
  if (field === 'args') return 'command_line_arguments';
  if (field === 'compile_options') return 'compiler_options';
  const limit = /^limits\.(\w+)/.exec(field)?.[1];
  const byLimit: Record<string, string> = {
    cpu_time_ms: 'cpu_time_limit', wall_time_ms: 'wall_time_limit', memory_kb: 'memory_limit', stack_kb: 'stack_limit',
    processes: 'max_processes_and_or_threads', file_size_kb: 'max_file_size', output_kb: 'max_file_size',
  };
  return limit ? (byLimit[limit] ?? field) : field;
}

const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** Rails casts a boolean column from true/false, "true"/"false", 1/0 and their strings. */
const truthy = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 'true';

function number(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(v)) return Number(v);
  return null;
}

/** A request body's fields, read as Rails reads parameters; every problem is collected per field. */
class Params {
  readonly errors: FieldErrors = {};
  private readonly p: Record<string, unknown>;

  constructor(body: unknown, private readonly base64: boolean) {
    this.p = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  }

  add(field: string, message: string): void {
    (this.errors[field] ??= []).push(message);
  }

  raw(field: string): unknown {
    return this.p[field];
  }

  string(field: string): string | null {
    const v = this.p[field];
    if (blank(v)) return null;
    if (typeof v === 'string') return v;
    this.add(field, 'must be a string');
    return null;
  }

  /** A text field, base64-decoded when the request says so; "" stays "" (not blank for stdin). */
  bytes(field: string): Buffer | null {
    const v = this.p[field];
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return Buffer.from(v, this.base64 ? 'base64' : 'utf8');
    this.add(field, 'must be a string');
    return null;
  }

  limits(limits: Judge0Limits): Judge0LimitValues {
    const values: Judge0LimitValues = {};
    for (const { field, min, inclusive, integer } of NUMERIC) {
      if (blank(this.p[field])) continue;
      const given = number(this.p[field]);
      if (given === null) {
        this.add(field, 'is not a number');
        continue;
      }
      // Integer columns truncate what they are given, as Rails' casting does.
      const v = integer ? Math.trunc(given) : given;
      const { max } = limits[field];
      const show = (n: number): string => (integer ? String(n) : decimal(n));
      if (inclusive ? v < min : v <= min) this.add(field, `must be greater than${inclusive ? ' or equal to' : ''} ${show(min)}`);
      else if (v > max) this.add(field, `must be less than or equal to ${show(max)}${field === 'number_of_runs' ? ': this server runs each submission once' : ''}`);
      else values[field] = v;
    }
    for (const [flag, message] of Object.entries(REFUSED_FLAGS)) if (truthy(this.p[flag])) this.add(flag, message);
    return values;
  }

  words(field: 'compiler_options' | 'command_line_arguments'): { text: string | null; list: string[] } {
    const text = this.string(field);
    if (text === null) return { text: null, list: [] };
    if (text.length > 512) this.add(field, 'is too long (maximum is 512 characters)');
    try {
      return { text, list: splitWords(text) };
    } catch (err) {
      if (!(err instanceof UnbalancedQuote)) throw err;
      this.add(field, err.message);
      return { text, list: [] };
    }
  }
}

/** The source as the main file, then the archive's files beside it. */
function programFiles(params: Params, source: Buffer, mainFile: string, archive: string | null, config: Config): SubmissionFileInput[] {
  const files: SubmissionFileInput[] = [{ name: mainFile, content: source.toString('base64'), encoding: 'base64' }];
  if (archive === null) return files;
  try {
    const room = config.maxSourceKb * 1024 - source.length;
    for (const f of extractArchive(Buffer.from(archive, 'base64'), mainFile, room, config.maxFiles - 1)) {
      files.push({ name: f.name, content: f.content.toString('base64'), encoding: 'base64' });
    }
  } catch (err) {
    if (!(err instanceof ArchiveRejected)) throw err;
    params.add('additional_files', err.message);
  }
  return files;
}

/** The shared validation, with its errors moved onto the Judge0 field they concern. */
function validated(deps: RequestDeps, input: CreateSubmissionInput): NewSubmission {
  try {
    return deps.validate(input);
  } catch (err) {
    if (err instanceof VerdictError && (err.code === 'invalid_request' || err.code === 'payload_too_large')) {
      throw new Judge0Invalid({ [judge0Field((err as { field?: string }).field)]: [err.message] });
    }
    throw err;
  }
}

/**
 * A Judge0 create request, checked as Judge0 checks it (errors per field, 422), then turned into
 * a submission by the same validation the native API uses. Unknown fields are ignored, as
 * Rails' permitted parameters ignore them. Whether a callback URL may be called is decided
 * afterwards: that needs a DNS answer.
 */
export function parseCreate(body: unknown, base64: boolean, deps: RequestDeps): NewSubmission {
  const params = new Params(body, base64);
  const source = params.bytes('source_code');
  if (source === null || source.toString('utf8').trim() === '') params.add('source_code', "can't be blank");
  const languageId = params.raw('language_id');
  const language = blank(languageId) ? null : deps.languages.byId(Math.trunc(number(languageId) ?? NaN));
  if (blank(languageId)) params.add('language_id', "can't be blank");
  else if (!language) params.add('language_id', `language with id ${String(languageId)} doesn't exist`);
  const stdin = params.bytes('stdin');
  const expected = params.bytes('expected_output');
  const limits = params.limits(deps.limits);
  const compilerOptions = params.words('compiler_options');
  if (compilerOptions.list.length > 0 && language && !language.language.compiled) {
    params.add('compiler_options', 'setting compiler options is only allowed for compiled languages');
  }
  const commandLine = params.words('command_line_arguments');
  const callbackUrl = params.string('callback_url');
  const archive = params.string('additional_files');
  const mainFile = language && source ? language.language.spec.mainFileName(source.toString('utf8')) : '';
  const files = language && source ? programFiles(params, source, mainFile, archive, deps.config) : [];
  if (Object.keys(params.errors).length > 0 || !language) throw new Judge0Invalid(params.errors);

  // Text that is not UTF-8 (possible with base64) skips the shared validation's text fields and
  // is put back byte for byte, within the same size limits.
  const asText = (b: Buffer | null): string | undefined => (b !== null && isUtf8(b) ? b.toString('utf8') : undefined);
  const submission = validated(deps, {
    language: language.language.id,
    files,
    stdin: asText(stdin),
    expected_output: asText(expected),
    args: commandLine.list,
    compile_options: compilerOptions.list,
    limits: toRequestedLimits(limits, deps.limits, deps.config),
  });
  const binary = (field: string, b: Buffer | null, maxKb: number): Buffer | null => {
    if (b === null || isUtf8(b)) return null;
    if (b.length > maxKb * 1024) throw new Judge0Invalid({ [field]: [`is ${b.length} bytes, above this server's maximum of ${maxKb} KB`] });
    return b;
  };

  const echo: Judge0Echo = {
    ...limits,
    language_id: language.id,
    compiler_options: compilerOptions.text,
    command_line_arguments: commandLine.text,
    callback_url: callbackUrl,
    additional_files: archive,
  };
  return {
    ...submission,
    stdin: binary('stdin', stdin, deps.config.maxStdinKb) ?? submission.stdin,
    expectedOutput: binary('expected_output', expected, deps.config.maxExpectedOutputKb) ?? submission.expectedOutput,
    options: {
      ...submission.options,
      compat: { judge0: echo },
      ...(callbackUrl ? { callback: { url: callbackUrl, format: 'judge0' as const } } : {}),
    },
  };
}
