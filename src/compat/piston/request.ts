import type { Config, LimitRange } from '../../config/index.js';
import type { LanguageRegistry } from '../../languages/index.js';
import type { CreateSubmissionInput, RequestedLimits, SubmissionFileInput } from '../../submissions/index.js';
import { PistonRequestInvalid } from './errors.js';
import { findRuntime, type PistonRuntime } from './runtimes.js';

/** A Piston execute request, as parsed and checked: the runtime it chose and our submission. */
export interface PistonJob {
  readonly runtime: PistonRuntime;
  readonly input: CreateSubmissionInput;
}

type Body = Record<string, unknown>;

/** Each Piston constraint: which of our ranges bounds it, and how its unit converts to ours. */
const CONSTRAINTS = [
  { name: 'compile_memory_limit', range: (c: Config) => c.compileLimits.memoryKb, perOurUnit: 1024, field: null },
  { name: 'run_memory_limit', range: (c: Config) => c.runLimits.memoryKb, perOurUnit: 1024, field: 'memory_kb' },
  { name: 'compile_timeout', range: (c: Config) => c.compileLimits.wallTimeMs, perOurUnit: 1, field: null },
  { name: 'run_timeout', range: (c: Config) => c.runLimits.wallTimeMs, perOurUnit: 1, field: 'wall_time_ms' },
  { name: 'compile_cpu_time', range: (c: Config) => c.compileLimits.cpuTimeMs, perOurUnit: 1, field: null },
  { name: 'run_cpu_time', range: (c: Config) => c.runLimits.cpuTimeMs, perOurUnit: 1, field: 'cpu_time_ms' },
] as const;

/**
 * Checks a request the way Piston does, in its order and with its messages, and turns it into a
 * submission. Where Piston and Verdict differ the choice is documented in docs/compat-piston.md:
 * -1 asks for our maximum, compile constraints are checked but the server's compile limits
 * apply, and the main file is the first utf8 file, as Piston runs it.
 */
export function parseJob(raw: unknown, languages: LanguageRegistry, config: Config): PistonJob {
  const body: Body = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Body) : {};
  const { language, version, files } = body;
  if (!language || typeof language !== 'string') throw new PistonRequestInvalid('language is required as a string');
  if (!version || typeof version !== 'string') throw new PistonRequestInvalid('version is required as a string');
  if (!files || !Array.isArray(files)) throw new PistonRequestInvalid('files is required as an array');
  for (const [i, file] of files.entries()) {
    if (file === null || typeof file !== 'object' || typeof (file as Body).content !== 'string') {
      throw new PistonRequestInvalid(`files[${i}].content is required as a string`);
    }
  }
  const runtime = findRuntime(languages, language, version);
  if (runtime === undefined) throw new PistonRequestInvalid(`${language}-${version} runtime is unknown`);
  const pistonFiles = (files as Body[]).map(toPistonFile);
  const main = pistonFiles.findIndex((f) => f.encoding === 'utf8');
  if (main < 0) throw new PistonRequestInvalid('files must include at least one utf8 encoded file');

  const limits = parseConstraints(body, config);
  const stdin = body.stdin ?? '';
  if (typeof stdin !== 'string') throw new PistonRequestInvalid('If specified, stdin must be a string');
  const args = body.args ?? [];
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw new PistonRequestInvalid('If specified, args must be an array of strings');

  const extension = languages.get(runtime.id).spec.extension;
  return {
    runtime,
    input: {
      language: runtime.id,
      files: ordered(pistonFiles, main).map((f, i) => ourFile(f, i, extension)),
      stdin,
      args: args as string[],
      limits,
    },
  };
}

interface PistonFile {
  readonly name: string | undefined;
  readonly content: string;
  readonly encoding: 'utf8' | 'base64' | 'hex';
}

/** Piston reads any other encoding as utf8, and a name only if it is a non-empty string. */
function toPistonFile(f: Body): PistonFile {
  const encoding = f.encoding === 'base64' || f.encoding === 'hex' ? f.encoding : 'utf8';
  return { name: typeof f.name === 'string' && f.name !== '' ? f.name : undefined, content: f.content as string, encoding };
}

/** Piston runs the first utf8 file; our main file is the first of the list. */
function ordered(files: readonly PistonFile[], main: number): PistonFile[] {
  return [files[main], ...files.filter((_f, i) => i !== main)];
}

/**
 * Our compilers pick their sources by extension, so a main file named without the language's
 * extension takes our default name (main.c; for Java, its public class) instead. Other unnamed
 * files get Piston's default name.
 */
function ourFile(f: PistonFile, index: number, extension: string): SubmissionFileInput {
  const name = index === 0 ? (f.name?.endsWith(extension) ? f.name : undefined) : (f.name ?? `file${index}.code`);
  const content = f.encoding === 'hex' ? Buffer.from(f.content, 'hex').toString('base64') : f.content;
  return { name, content, encoding: f.encoding === 'utf8' ? 'utf8' : 'base64' };
}

/**
 * Piston's constraint checks: a falsy value is absent, anything else must be a number within
 * the configured limit (ours is the maximum a request may ask) and not negative. -1, Piston's
 * "no limit", asks for our maximum: there is always a limit here.
 */
function parseConstraints(body: Body, config: Config): RequestedLimits {
  const limits: Record<string, number> = {};
  for (const c of CONSTRAINTS) {
    const value = body[c.name];
    if (!value) continue;
    if (typeof value !== 'number') throw new PistonRequestInvalid(`If specified, ${c.name} must be a number`);
    const range: LimitRange = c.range(config);
    const configured = range.max * c.perOurUnit;
    if (value > configured) throw new PistonRequestInvalid(`${c.name} cannot exceed the configured limit of ${configured}`);
    if (value < 0 && value !== -1) throw new PistonRequestInvalid(`${c.name} must be non-negative`);
    if (c.field === null) continue;
    limits[c.field] = value === -1 ? range.max : Math.max(1, Math.ceil(value / c.perOurUnit));
  }
  return limits as RequestedLimits;
}
