import fs from 'node:fs';
import path from 'node:path';
import type { Language, LanguageRegistry, Step, StepContext } from '../languages/index.js';
import { BASE_ENV } from '../languages/index.js';
import type { Box, BoxFactory, Mount, RunOutcome, Sandbox, SandboxLimits, Slot, SlotPool } from '../sandbox/index.js';
import type { CompileLimits, JudgeRequest, JudgeResult } from './types.js';
import { decideVerdict } from './verdict.js';
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
    try {
      language = this.deps.languages.get(request.languageId);
    } catch (err) {
      return internalError(`language "${request.languageId}" is not available on this worker: ${(err as Error).message}`);
    }
    return this.deps.slots.with(async (slot) => {
      let box: Box | null = null;
      try {
        box = await this.deps.boxes.create(slot, request.files);
        return await this.compileAndRun(language, request, slot, box);
      } catch (err) {
        return internalError(`the sandbox failed: ${(err as Error).message}`);
      } finally {
        if (box) this.deps.boxes.removeLater(box);
      }
    });
  }

  private async compileAndRun(language: Language, request: JudgeRequest, slot: Slot, box: Box): Promise<JudgeResult> {
    const mainFile = request.files[0].name;
    const ctx: StepContext = {
      tools: language.tools,
      mainFile,
      sourceFiles: request.files.map((f) => f.name).filter((n) => n.endsWith(language.spec.extension)),
      compileOptions: request.compileOptions,
      args: request.args,
      entry: language.spec.entry?.(mainFile) ?? mainFile,
      memoryKb: request.limits.memoryKb,
    };
    let compileOutput: Buffer = EMPTY;
    if (language.spec.compile) {
      // Only a compilation whose every argument Verdict chose may be cached or use the slot's cache.
      const trusted = request.compileOptions.length === 0;
      const key = trusted && this.deps.artefacts ? ArtefactCache.key(language.id, language.version, request.files) : null;
      const cached = key ? this.deps.artefacts!.restore(key, box.dir, slot) : null;
      this.deps.onCompile?.(cached !== null);
      if (cached) {
        compileOutput = cached;
      } else {
        const step = language.spec.compile(ctx);
        const limits = this.compileStepLimits();
        const outcome = await this.runStep(step, slot, box, EMPTY, limits, trusted);
        compileOutput = Buffer.concat([outcome.stdout, outcome.stderr]);
        if (outcome.limitExceeded !== null || outcome.exitCode !== 0) {
          return {
            ...noRun(),
            verdict: 'compile_error',
            verdictDetail: outcome.limitExceeded ? `compile ${outcome.limitExceeded} limit` : null,
            compileOutput,
            message: outcome.limitExceeded ? `compilation exceeded its ${outcome.limitExceeded} limit` : null,
          };
        }
        // No process of this submission is alive between its compile and run steps, so what the
        // compiler left in the box cannot change while it is copied.
        if (key) this.deps.artefacts!.store(key, box.dir, request.files, compileOutput);
      }
    }
    const runOutcome = await this.runStep(language.spec.run(ctx), slot, box, request.stdin, request.limits, false);
    const decision = decideVerdict(runOutcome, request.expectedOutput, language.spec.outOfMemoryPattern);
    return {
      verdict: decision.verdict,
      verdictDetail: decision.detail,
      exitCode: runOutcome.exitCode,
      signal: runOutcome.signal,
      cpuTimeMs: runOutcome.cpuTimeMs,
      wallTimeMs: runOutcome.wallTimeMs,
      memoryKb: runOutcome.memoryKb,
      stdout: runOutcome.stdout,
      stderr: runOutcome.stderr,
      compileOutput,
      message: null,
    };
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
  private runStep(step: Step, slot: Slot, box: Box, stdin: Buffer, limits: SandboxLimits, trusted: boolean): Promise<RunOutcome> {
    const mounts: Mount[] = [];
    if (step.cache) {
      const source = trusted ? this.deps.slots.cacheDir(slot, step.cache.name) : ensureBoxCache(box, step.cache.name, slot);
      mounts.push({ source, target: step.cache.target, writable: true });
    }
    return this.deps.sandbox.run({ slot, boxDir: box.dir, argv: step.argv, env: { ...BASE_ENV, ...step.env }, stdin, limits, mounts });
  }
}

/** Only the compile step, the first to run in a fresh box, uses this: nothing can be planted yet. */
function ensureBoxCache(box: Box, name: string, slot: Slot): string {
  const dir = path.join(box.dir, `.cache-${name}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chownSync(dir, slot.uid, slot.gid);
  return dir;
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
