import { randomUUID } from 'node:crypto';
import type { Broker } from '../broker/index.js';
import { CallbackUrlPolicy, type CallbackFormat } from '../callbacks/index.js';
import type { Config } from '../config/index.js';
import { InvalidSubmission } from '../judge/index.js';
import type { LanguageRegistry } from '../languages/index.js';
import type { Metrics } from '../metrics/Metrics.js';
import type { NewSubmission, Store, StoredFile, Submission } from '../store/index.js';
import { PayloadTooLarge, SubmissionNotFound } from './errors.js';
import { resolveLimits, type RequestedLimits } from './limits.js';
import type { Waiter } from './Waiter.js';
import { parseJudging, type JudgingInput } from './judging.js';
import type { StatusHub } from './StatusHub.js';
import { watchStatus } from './watchStatus.js';

export interface SubmissionFileInput {
  readonly name?: string;
  readonly content: string;
  readonly encoding?: 'utf8' | 'base64';
}

/** A submission as a client sends it (already checked against the HTTP schema). */
export interface CreateSubmissionInput extends JudgingInput {
  readonly language: string;
  readonly source?: string;
  readonly files?: readonly SubmissionFileInput[];
  readonly stdin?: string;
  readonly args?: readonly string[];
  readonly compile_options?: string | readonly string[];
  readonly expected_output?: string | null;
  readonly limits?: RequestedLimits;
  /** Where to send the result once finished (see src/callbacks). */
  readonly callback_url?: string;
}

/** Plain names only: no directories, no '..', no NUL, no leading dash or dot tricks. */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface SubmissionServiceDeps {
  readonly config: Config;
  readonly store: Store;
  /**
   * Standalone: the in-process queue, published to right after the commit. Distributed: null,
   * because change data capture publishes the committed row; publishing here too would be the
   * dual write the design forbids.
   */
  readonly broker: Pick<Broker, 'publish'> | null;
  readonly languages: LanguageRegistry;
  readonly metrics: Metrics;
  readonly waiter: Waiter;
  /** Where state changes are announced in this process; without it, watchers only poll. */
  readonly statusHub?: StatusHub;
  /** Decides which callback URLs are accepted; by default, public http(s) ones unless the config allows private. */
  readonly callbackUrls?: CallbackUrlPolicy;
}

/** Accepts, stores and publishes submissions; reads them back. Transport-independent. */
export class SubmissionService {
  constructor(private readonly deps: SubmissionServiceDeps) {}

  /** Resolves with the new id once the submission is committed to the store. */
  async create(input: CreateSubmissionInput, callbackFormat: CallbackFormat = 'verdict'): Promise<string> {
    return this.submit(await this.withCallback(this.validate(input), input.callback_url, callbackFormat));
  }

  /**
   * Stores and queues a submission `validate` produced, which a compatibility API may have added
   * to (its own request fields in `options.compat`, bytes its encoding allows); resolves with
   * the id once committed.
   */
  async submit(submission: NewSubmission): Promise<string> {
    const { broker } = this.deps;
    let published: Promise<void> | undefined;
    // Standalone publishes as soon as the row is committed, so the run can start while the disk
    // syncs it; the client hears 201 only once it is durable. A crash in between loses a
    // submission nobody was told about, or leaves one that the republish at start covers.
    try {
      await this.deps.store.insert(submission, broker ? () => (published = broker.publish([{ id: submission.id }])) : undefined);
    } catch (err) {
      // The insert's error is the one to report; a publish failing beside it is dropped, not left
      // to end the process as an unhandled rejection.
      published?.catch(() => undefined);
      throw err;
    }
    this.deps.metrics.submissionsAccepted.inc();
    await published;
    return submission.id;
  }

  async get(id: string): Promise<Submission> {
    const submission = await this.deps.store.get(id);
    if (!submission) throw new SubmissionNotFound(id);
    return submission;
  }

  /** Calls `onChange` with the submission now and at each change of its status, until finished or `signal` aborts. */
  watch(id: string, onChange: (submission: Submission) => void, signal: AbortSignal): Promise<void> {
    return watchStatus({ read: (i) => this.get(i), hub: this.deps.statusHub }, id, onChange, signal);
  }

  /** The submission once finished, or as it stands after `timeoutMs`. */
  async waitFor(id: string, timeoutMs: number): Promise<Submission> {
    // The check runs at least once, so `latest` is always set when the wait returns.
    let latest!: Submission;
    await this.deps.waiter.wait(id, Math.min(timeoutMs, this.deps.config.waitMaxMs), async (finished) => {
      latest = finished ?? (await this.get(id));
      return latest.status === 'finished';
    });
    return latest;
  }

  /** Checked here rather than in validate: deciding whether a host is public needs a DNS answer. */
  private async withCallback(submission: NewSubmission, url: string | undefined, format: CallbackFormat): Promise<NewSubmission> {
    if (url === undefined) return submission;
    const policy = this.deps.callbackUrls ?? new CallbackUrlPolicy({ allowPrivate: this.deps.config.callbackAllowPrivate });
    await policy.check(url);
    return { ...submission, options: { ...submission.options, callback: { url, format } } };
  }

  validate(input: CreateSubmissionInput): NewSubmission {
    const { config } = this.deps;
    const language = this.deps.languages.get(input.language);
    const files = this.files(input, language.spec.mainFileName.bind(language.spec));
    const sourceBytes = files.reduce((n, f) => n + f.content.length, 0);
    if (sourceBytes > config.maxSourceKb * 1024) throw new PayloadTooLarge('source', sourceBytes, config.maxSourceKb, 'VERDICT_MAX_SOURCE_KB');
    const stdin = Buffer.from(input.stdin ?? '', 'utf8');
    if (stdin.length > config.maxStdinKb * 1024) throw new PayloadTooLarge('stdin', stdin.length, config.maxStdinKb, 'VERDICT_MAX_STDIN_KB');
    const expected = input.expected_output == null ? null : Buffer.from(input.expected_output, 'utf8');
    if (expected && expected.length > config.maxExpectedOutputKb * 1024) {
      throw new PayloadTooLarge('expected_output', expected.length, config.maxExpectedOutputKb, 'VERDICT_MAX_EXPECTED_OUTPUT_KB');
    }
    const args = [...(input.args ?? [])];
    const compileOptions = typeof input.compile_options === 'string' ? input.compile_options.split(/\s+/).filter(Boolean) : [...(input.compile_options ?? [])];
    for (const [field, list] of [['args', args], ['compile_options', compileOptions]] as const) {
      if (list.length > config.maxArgs) throw new InvalidSubmission(`${field} has ${list.length} entries; at most ${config.maxArgs} are allowed`, field);
      // Arguments travel as argv entries to execve, which cannot carry a NUL byte.
      if (list.some((a) => a.includes('\0'))) throw new InvalidSubmission(`${field} must not contain NUL characters`, field);
    }
    return {
      id: randomUUID(),
      language: language.id,
      files,
      stdin,
      args,
      compileOptions,
      expectedOutput: expected,
      limits: resolveLimits(input.limits, config.runLimits),
      options: {
        ...parseJudging(
          input,
          config,
          (checker) => {
            const spec = this.deps.languages.get(checker.language).spec;
            return this.files(checker, (source) => spec.mainFileName(source), 'checker');
          },
          (id) => this.deps.languages.get(id).id,
        ),
      },
      createdAt: Date.now(),
    };
  }

  private files(input: Pick<CreateSubmissionInput, 'source' | 'files'>, defaultName: (source: string) => string, field = ''): StoredFile[] {
    // Field names in messages: "source", or "checker.source" for a checker's files.
    const named = (name: string): string => (field ? `${field}.${name}` : name);
    if ((input.source === undefined) === (input.files === undefined)) {
      throw new InvalidSubmission(`give either "${named('source')}" (one file) or "${named('files')}" (a list whose first entry is the main file), not both and not neither`, named('source'));
    }
    if (input.source !== undefined) {
      if (input.source.trim() === '') throw new InvalidSubmission(`${named('source')} is empty; send the program text`, named('source'));
      return [{ name: defaultName(input.source), content: Buffer.from(input.source, 'utf8') }];
    }
    const list = input.files ?? [];
    if (list.length === 0) throw new InvalidSubmission(`${named('files')} is empty; send at least the main file`, named('files'));
    if (list.length > this.deps.config.maxFiles) throw new InvalidSubmission(`${named('files')} has ${list.length} entries; at most ${this.deps.config.maxFiles} are allowed`, named('files'));
    const seen = new Set<string>();
    return list.map((f, i) => {
      const content = f.encoding === 'base64' ? Buffer.from(f.content, 'base64') : Buffer.from(f.content, 'utf8');
      const name = f.name ?? (i === 0 ? defaultName(content.toString('utf8')) : '');
      if (!FILE_NAME.test(name) || name.includes('..')) {
        throw new InvalidSubmission(`${named(`files[${i}].name`)} ${JSON.stringify(name)} is not allowed: use letters, digits, '_', '-' and '.', at most 128 characters, no '/' and no '..'`, named(`files[${i}].name`));
      }
      if (seen.has(name)) throw new InvalidSubmission(`${named(`files[${i}].name`)} "${name}" appears twice`, named(`files[${i}].name`));
      seen.add(name);
      if (i === 0 && content.toString('utf8').trim() === '') throw new InvalidSubmission(`${named('files[0]')} (the main file) is empty`, named('files[0].content'));
      return { name, content };
    });
  }
}
