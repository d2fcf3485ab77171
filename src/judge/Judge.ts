import fs from 'node:fs';
import path from 'node:path';
import type { Language, LanguageRegistry, Step, StepContext } from '../languages/index.js';
import { BASE_ENV } from '../languages/index.js';
import type { Box, BoxFactory, InteractiveIo, Mount, RunOutcome, Sandbox, SandboxLimits, Slot, SlotPool } from '../sandbox/index.js';
import type { InteractiveSession } from './interactive.js';
import type { CompileLimits, JudgeRequest, JudgeResult, RunResult, TestResult } from './types.js';
import { decideVerdict, type VerdictDecision } from './verdict.js';
import { BoxSnapshot } from './snapshot.js';
import { ArtefactCache } from './cache/ArtefactCache.js';

export interface JudgeDeps {
  readonly sandbox: Sandbox;
  readonly slots: SlotPool;
  readonly boxes: BoxFactory;
  readonly languages: LanguageRegistry;
  readonly compileLimits: CompileLimits;
  /** Compiled artefacts by content hash; absent means every submission compiles. */
  readonly artefacts?: ArtefactCache;
  /** Told whether each compilation came from the cache. */
  readonly onCompile?: (cached: boolean) => void;
}

/** Processes and threads a compiler may use (javac and go build are multi-threaded). */
const COMPILE_PROCESSES = 256;
/** Compiler diagnostics kept. */
const COMPILE_OUTPUT_KB = 256;
/** Largest file a compiler may write (a statically linked binary). */
const COMPILE_FILE_SIZE_KB = 512 * 1024;
const COMPILE_STACK_KB = 64 * 1024;

const EMPTY = Buffer.alloc(0);

/**
 * Runs one submission: a fresh box, the compile step if the language has one, the run step,
 * and the verdict. Failures of Verdict itself become `internal_error`, never the program's fault.
 */
export class Judge {
  constructor(private readonly deps: JudgeDeps) {}

  async judge(request: JudgeRequest): Promise<JudgeResult> {
    let language: Language;
    let checkerLanguage: Language | null = null;
    try {
      language = this.deps.languages.get(request.languageId);
    } catch (err) {
      return internalError(`language "${request.languageId}" is not available on this worker: ${(err as Error).message}`);
    }
    if (request.checker) {
      try {
        checkerLanguage = this.deps.languages.get(request.checker.languageId);
      } catch (err) {
        return internalError(`the checker's language "${request.checker.languageId}" is not available on this worker: ${(err as Error).message}`);
      }
    }
    return this.deps.slots.with(async (slot) => {
      const boxes: Box[] = [];
      try {
        const box = await this.deps.boxes.create(slot, request.files);
        boxes.push(box);
        const program = await this.compile(language, request.files, request.compileOptions, request.args, request.limits.memoryKb, slot, box);
        if ('failed' in program) return program.failed;
        let checker: Checker | null = null;
        if (request.checker && checkerLanguage) {
          // Its own box: the program runs first and must not be able to touch the checker's files.
          const checkerBox = await this.deps.boxes.create(slot, request.checker.files);
          boxes.push(checkerBox);
          const compiled = await this.compile(checkerLanguage, request.checker.files, [], [], this.deps.compileLimits.memoryKb, slot, checkerBox);
          if ('failed' in compiled) {
            return internalError(`the checker did not compile: ${compiled.failed.compileOutput.toString('utf8').slice(0, 2000)}`);
          }
          checker = { language: checkerLanguage, box: checkerBox, ctx: compiled.ctx };
        }
        return await this.runTests(language, program, request, slot, box, checker);
      } catch (err) {
        return internalError(`the sandbox failed: ${(err as Error).message}`);
      } finally {
        for (const box of boxes) this.deps.boxes.removeLater(box);
      }
    });
  }

  /**
   * A live session: the slot, box, compile step (and its cache) and limits of judge(), but the
   * run step's stdin arrives while it runs and its output leaves as it is written. One run and no
   * expected output: whoever is on the other end decides what is right.
   */
  async judgeInteractive(request: JudgeRequest, session: InteractiveSession): Promise<JudgeResult> {
    let language: Language;
    try {
      language = this.deps.languages.get(request.languageId);
    } catch (err) {
      return internalError(`language "${request.languageId}" is not available on this worker: ${(err as Error).message}`);
    }
    return this.deps.slots.with(async (slot) => {
      if (session.abandoned.aborted) return internalError('the session ended before it was given a slot');
      let box: Box | null = null;
      try {
        box = await this.deps.boxes.create(slot, request.files);
        if (language.spec.compile) session.stage('compile');
        const program = await this.compile(language, request.files, request.compileOptions, request.args, request.limits.memoryKb, slot, box);
        if ('failed' in program) return program.failed;
        if (language.spec.compile) session.compiled(program.compileOutput);
        if (session.abandoned.aborted) return { ...internalError('the session ended before its program ran'), compileOutput: program.compileOutput };
        session.stage('run');
        const live: InteractiveIo = { stdin: session.stdin, onOutput: (stream, chunk) => session.output(stream, chunk), onStart: (control) => session.running(control) };
        const outcome = await this.runStep(language.spec.run(program.ctx), slot, box, EMPTY, request.limits, false, live);
        const decision = decideVerdict(outcome, null, language.spec.outOfMemoryPattern);
        return {
          ...runFields(outcome, decision),
          compileOutput: program.compileOutput,
          message: null,
        };
      } catch (err) {
        return internalError(`the sandbox failed: ${(err as Error).message}`);
      } finally {
        if (box) this.deps.boxes.removeLater(box);
      }
    });
  }

  /** The compile step if the language has one (from the artefact cache when it is safe). */
  private async compile(
    language: Language,
    files: JudgeRequest['files'],
    compileOptions: readonly string[],
    args: readonly string[],
    memoryKb: number,
    slot: Slot,
    box: Box,
  ): Promise<{ ctx: StepContext; compileOutput: Buffer } | { failed: JudgeResult }> {
    const mainFile = files[0].name;
    const ctx: StepContext = {
      tools: language.tools,
      mainFile,
      sourceFiles: files.map((f) => f.name).filter((n) => n.endsWith(language.spec.extension)),
      compileOptions,
      args,
      entry: language.spec.entry?.(mainFile) ?? mainFile,
      memoryKb,
    };
    if (!language.spec.compile) return { ctx, compileOutput: EMPTY };
    // Only a compilation whose every argument Verdict chose may be cached or use the slot's cache.
    const trusted = compileOptions.length === 0;
    const key = trusted && this.deps.artefacts ? ArtefactCache.key(language.id, language.version, files) : null;
    const cached = key ? this.deps.artefacts!.restore(key, box.dir, slot) : null;
    this.deps.onCompile?.(cached !== null);
    if (cached) return { ctx, compileOutput: cached };
    const outcome = await this.runStep(language.spec.compile(ctx), slot, box, EMPTY, this.compileStepLimits(), trusted);
    const compileOutput = Buffer.concat([outcome.stdout, outcome.stderr]);
    if (outcome.limitExceeded !== null || outcome.exitCode !== 0) {
      return {
        failed: {
          ...noRun(),
          verdict: 'compile_error',
          verdictDetail: outcome.limitExceeded ? `compile ${outcome.limitExceeded} limit` : null,
          compileOutput,
          message: outcome.limitExceeded ? `compilation exceeded its ${outcome.limitExceeded} limit` : null,
        },
      };
    }
    // No process of this submission is alive between its compile and run steps, so what the
    // compiler left in the box cannot change while it is copied.
    if (key) this.deps.artefacts!.store(key, box.dir, files, compileOutput);
    return { ctx, compileOutput };
  }

  /**
   * Every test (or the submission's own stdin as the one test), compiled once. Before each test
   * after the first the box is reset to what the compile step left, so tests are independent.
   */
  private async runTests(
    language: Language,
    program: { ctx: StepContext; compileOutput: Buffer },
    request: JudgeRequest,
    slot: Slot,
    box: Box,
    checker: Checker | null,
  ): Promise<JudgeResult> {
    const tests = request.tests ?? [{ stdin: request.stdin, expectedOutput: request.expectedOutput }];
    const snapshot = tests.length > 1 ? BoxSnapshot.take(box.dir) : null;
    if (tests.length > 1 && !snapshot) {
      return { ...internalError('the compiled program cannot be reset between tests (the compile step left links or too much in the box)'), compileOutput: program.compileOutput };
    }
    const results: Array<TestResult & { message: string | null }> = [];
    for (const [i, test] of tests.entries()) {
      if (i > 0) snapshot!.restore(box.dir, slot);
      const limits = lowerLimits(request.limits, test.limits);
      const outcome = await this.runStep(language.spec.run(program.ctx), slot, box, test.stdin, limits, false);
      let decision = decideVerdict(outcome, checker ? null : test.expectedOutput, language.spec.outOfMemoryPattern, request.comparison);
      let checkerOutput: Buffer | null = null;
      let message: string | null = null;
      if (checker && decision.verdict === 'accepted') {
        const checked = await this.check(checker, i, test.stdin, outcome.stdout, test.expectedOutput ?? EMPTY, slot);
        ({ decision, checkerOutput, message } = checked);
      }
      results.push({ ...testResult(outcome, decision, checkerOutput), message });
      if (request.stopOnFirstFailure && decision.verdict !== 'accepted') break;
    }
    return summarize(results, program.compileOutput, request.tests !== undefined);
  }

  /**
   * Runs the checker on one test: `checker INPUT OUTPUT ANSWER` (the order of the common
   * checker libraries), exit 0 accepted, 1 or 2 wrong answer. A checker that fails otherwise is
   * the problem setter's fault, never the program's: internal error.
   */
  private async check(checker: Checker, index: number, input: Buffer, output: Buffer, answer: Buffer, slot: Slot): Promise<{ decision: VerdictDecision; checkerOutput: Buffer; message: string | null }> {
    const names = [`t${index}.in`, `t${index}.out`, `t${index}.ans`];
    for (const [name, content] of [[names[0], input], [names[1], output], [names[2], answer]] as const) {
      const target = path.join(checker.box.dir, name);
      // Exclusive create: a name an earlier checker run planted fails instead of being written through.
      fs.writeFileSync(target, content, { flag: 'wx', mode: 0o644 });
      fs.chownSync(target, slot.uid, slot.gid);
    }
    const limits = { ...this.compileStepLimits(), outputKb: CHECKER_OUTPUT_KB, processes: 64 };
    const outcome = await this.runStep(checker.language.spec.run({ ...checker.ctx, args: names }), slot, checker.box, EMPTY, limits, false);
    const checkerOutput = Buffer.concat([outcome.stdout, outcome.stderr]);
    if (outcome.limitExceeded === null && outcome.signal === null && outcome.exitCode === 0) return { decision: { verdict: 'accepted', detail: null }, checkerOutput, message: null };
    if (outcome.limitExceeded === null && outcome.signal === null && (outcome.exitCode === 1 || outcome.exitCode === 2)) {
      return { decision: { verdict: 'wrong_answer', detail: 'checker' }, checkerOutput, message: null };
    }
    const how = outcome.limitExceeded ? `exceeded its ${outcome.limitExceeded} limit` : outcome.signal ? `was killed by ${outcome.signal}` : `exited with ${outcome.exitCode}`;
    return { decision: { verdict: 'internal_error', detail: 'checker' }, checkerOutput, message: `the checker ${how}` };
  }

  private compileStepLimits(): SandboxLimits {
    const c = this.deps.compileLimits;
    return {
      cpuTimeMs: c.cpuTimeMs,
      wallTimeMs: c.wallTimeMs,
      memoryKb: c.memoryKb,
      processes: COMPILE_PROCESSES,
      outputKb: COMPILE_OUTPUT_KB,
      fileSizeKb: COMPILE_FILE_SIZE_KB,
      stackKb: COMPILE_STACK_KB,
    };
  }

  /**
   * A step's cache is the slot's persistent one only when Verdict chose every compiler argument:
   * user options such as `-toolexec` run arbitrary programs, which could poison a shared cache.
   * Otherwise the cache lives in the box and dies with it.
   */
  private runStep(step: Step, slot: Slot, box: Box, stdin: Buffer, limits: SandboxLimits, trusted: boolean, interactive?: InteractiveIo): Promise<RunOutcome> {
    const mounts: Mount[] = [];
    if (step.cache) {
      const source = trusted ? this.deps.slots.cacheDir(slot, step.cache.name) : ensureBoxCache(box, step.cache.name, slot);
      mounts.push({ source, target: step.cache.target, writable: true });
    }
    return this.deps.sandbox.run({ slot, boxDir: box.dir, argv: step.argv, env: { ...BASE_ENV, ...step.env }, stdin, limits, mounts, interactive });
  }
}

/** Only the compile step, the first to run in a fresh box, uses this: nothing can be planted yet. */
function ensureBoxCache(box: Box, name: string, slot: Slot): string {
  const dir = path.join(box.dir, `.cache-${name}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chownSync(dir, slot.uid, slot.gid);
  return dir;
}

/** A checker ready to run: its language, its own box, its compiled step context. */
interface Checker {
  readonly language: Language;
  readonly box: Box;
  readonly ctx: StepContext;
}

/** Checker diagnostics kept per test. */
const CHECKER_OUTPUT_KB = 64;

/** A test's own limits may lower the submission's, never raise them. */
function lowerLimits(base: SandboxLimits, test: Partial<SandboxLimits> | undefined): SandboxLimits {
  if (!test) return base;
  const out: Record<string, number> = { ...base };
  for (const [k, v] of Object.entries(test)) if (typeof v === 'number' && v > 0 && v < out[k]) out[k] = v;
  return out as unknown as SandboxLimits;
}

/** What a run and its verdict contribute to a result, whole submission or one test. */
function runFields(outcome: RunOutcome, decision: VerdictDecision): RunResult {
  return {
    verdict: decision.verdict,
    verdictDetail: decision.detail,
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    cpuTimeMs: outcome.cpuTimeMs,
    wallTimeMs: outcome.wallTimeMs,
    memoryKb: outcome.memoryKb,
    stdout: outcome.stdout,
    stderr: outcome.stderr,
  };
}

function testResult(outcome: RunOutcome, decision: VerdictDecision, checkerOutput: Buffer | null): TestResult {
  return {
    ...runFields(outcome, decision),
    checkerOutput,
  };
}

/**
 * The submission's result from its tests: the verdict of the first test that failed (all
 * accepted: accepted), the largest CPU time, wall time and memory of any test, and the output of
 * the deciding test (the first failure, else the last test).
 */
function summarize(results: readonly (TestResult & { message: string | null })[], compileOutput: Buffer, withTests: boolean): JudgeResult {
  const deciding = results.find((r) => r.verdict !== 'accepted') ?? results[results.length - 1];
  const max = (pick: (r: TestResult) => number | null): number | null => {
    const values = results.map(pick).filter((v): v is number => v !== null);
    return values.length > 0 ? Math.max(...values) : null;
  };
  return {
    verdict: deciding.verdict,
    verdictDetail: deciding.verdictDetail,
    exitCode: deciding.exitCode,
    signal: deciding.signal,
    cpuTimeMs: max((r) => r.cpuTimeMs),
    wallTimeMs: max((r) => r.wallTimeMs),
    memoryKb: max((r) => r.memoryKb),
    stdout: deciding.stdout,
    stderr: deciding.stderr,
    compileOutput,
    message: deciding.message,
    ...(withTests ? { tests: results.map(({ message: _m, ...r }) => r) } : {}),
  };
}

function noRun(): JudgeResult {
  return {
    verdict: 'internal_error',
    verdictDetail: null,
    exitCode: null,
    signal: null,
    cpuTimeMs: null,
    wallTimeMs: null,
    memoryKb: null,
    stdout: EMPTY,
    stderr: EMPTY,
    compileOutput: EMPTY,
    message: null,
  };
}

export function internalError(message: string): JudgeResult {
  return { ...noRun(), verdict: 'internal_error', message };
}
