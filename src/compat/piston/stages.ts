import os from 'node:os';
import type { JudgeResult } from '../../judge/index.js';

/** Piston's stage status: runtime error, signal, timeout, internal error, stdout or stderr too long. */
export type PistonStatus = 'RE' | 'SG' | 'TO' | 'XX' | 'OL' | 'EL';

export interface PistonStage {
  stdout: string;
  stderr: string;
  output: string;
  code: number | null;
  signal: string | null;
  message: string | null;
  status: PistonStatus | null;
  cpu_time: number | null;
  wall_time: number | null;
  /** Bytes. */
  memory: number | null;
}

/** How a stage ended, without its output: what an interactive session's `exit` message carries. */
export type PistonExit = Omit<PistonStage, 'stdout' | 'stderr' | 'output'>;

const text = (b: Buffer): string => b.toString('utf8');

/** A compile step that succeeded; its times and memory are not kept. */
export const COMPILED: PistonExit = { code: 0, signal: null, message: null, status: null, cpu_time: null, wall_time: null, memory: null };

function signalNumber(name: string): number | string {
  return (os.constants.signals as Record<string, number | undefined>)[name] ?? name;
}

/**
 * How the run step ended, in Piston's terms. The sandbox's own stops say SIGKILL, as Piston's do;
 * the messages follow the ones Piston passes on from its sandbox.
 */
export function runExit(r: JudgeResult): PistonExit {
  const measured = { cpu_time: r.cpuTimeMs, wall_time: r.wallTimeMs, memory: r.memoryKb === null ? null : r.memoryKb * 1024 };
  const ended = { code: r.exitCode, signal: r.signal, ...measured };
  switch (r.verdict) {
    case 'internal_error':
      return { ...ended, message: r.message ?? 'internal error', status: 'XX' };
    case 'time_limit_exceeded':
      return { ...ended, signal: 'SIGKILL', message: r.verdictDetail === 'wall' ? 'Time limit exceeded (wall clock)' : 'Time limit exceeded', status: 'TO' };
    case 'output_limit_exceeded':
      if (r.verdictDetail === 'file_size') return { ...ended, signal: r.signal ?? 'SIGXFSZ', message: 'File size limit exceeded', status: 'SG' };
      // One cap covers both streams here; Piston caps each. Blame the one that holds more.
      return r.stderr.length > r.stdout.length
        ? { ...ended, signal: 'SIGKILL', message: 'stderr length exceeded', status: 'EL' }
        : { ...ended, signal: 'SIGKILL', message: 'stdout length exceeded', status: 'OL' };
    case 'memory_limit_exceeded':
      return { ...ended, message: 'Memory limit exceeded', status: r.signal !== null || r.exitCode === 0 ? 'SG' : 'RE' };
    default:
      if (r.signal !== null) return { ...ended, message: `Caught fatal signal ${signalNumber(r.signal)}`, status: 'SG' };
      if (r.exitCode !== null && r.exitCode !== 0) return { ...ended, message: `Exited with error status ${r.exitCode}`, status: 'RE' };
      return { ...ended, message: null, status: null };
  }
}

/**
 * How the compile step ended. Only its combined output and verdict are kept, not its exit status
 * or measurements: a failed compilation says code 1, and the times and memory are null.
 */
export function compileExit(r: JudgeResult): PistonExit {
  const none = { cpu_time: null, wall_time: null, memory: null };
  if (r.verdict === 'internal_error') return { code: null, signal: null, message: r.message ?? 'internal error', status: 'XX', ...none };
  if (r.verdict !== 'compile_error') return COMPILED;
  switch (r.verdictDetail) {
    case 'compile cpu limit':
      return { code: null, signal: 'SIGKILL', message: 'Time limit exceeded', status: 'TO', ...none };
    case 'compile wall limit':
      return { code: null, signal: 'SIGKILL', message: 'Time limit exceeded (wall clock)', status: 'TO', ...none };
    case 'compile memory limit':
      return { code: null, signal: 'SIGKILL', message: 'Memory limit exceeded', status: 'SG', ...none };
    case 'compile output limit':
      return { code: null, signal: 'SIGKILL', message: 'stdout length exceeded', status: 'OL', ...none };
    case 'compile file_size limit':
      return { code: null, signal: 'SIGXFSZ', message: 'File size limit exceeded', status: 'SG', ...none };
    default:
      return { code: 1, signal: null, message: 'Compilation failed', status: 'RE', ...none };
  }
}

/**
 * The run stage with its output. `output` is stdout followed by stderr: the store keeps the two
 * streams apart, not the order their pieces were written in.
 */
function runStage(r: JudgeResult): PistonStage {
  const stdout = text(r.stdout);
  const stderr = text(r.stderr);
  return { stdout, stderr, output: stdout + stderr, ...runExit(r) };
}

/** The compile stage. Compilers write their diagnostics to stderr, so the kept output goes there. */
function compileStage(r: JudgeResult): PistonStage {
  const stderr = text(r.compileOutput);
  return { stdout: '', stderr, output: stderr, ...compileExit(r) };
}

/**
 * Piston's execute response. When the compile step failed there is no run: Piston then repeats
 * the compile stage as `run`, and clients rely on `run` being there.
 */
export function executeResponse(language: string, version: string, compiled: boolean, r: JudgeResult) {
  const compile = compiled ? compileStage(r) : undefined;
  const run = compile && r.verdict === 'compile_error' ? compile : runStage(r);
  return { language, version, run, ...(compile ? { compile } : {}) };
}
