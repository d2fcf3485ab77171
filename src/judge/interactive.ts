import type { Readable } from 'node:stream';
import type { RunControl } from '../sandbox/index.js';

export type InteractiveStage = 'compile' | 'run';

/**
 * The other end of a live session (Judge.judgeInteractive): told each step as it begins, handed
 * the program's output as it is written and, while the program runs, a way to signal it.
 */
export interface InteractiveSession {
  /** The run step's stdin as it arrives; its end is the program's end of file. */
  readonly stdin: Readable;
  /** Aborted when nobody is listening any more: whatever has not started yet does not start. */
  readonly abandoned: AbortSignal;
  /** A step begins: 'compile' (compiled languages only), then 'run' unless compilation failed. */
  stage(stage: InteractiveStage): void;
  /** The compilation succeeded; its diagnostics (warnings, often empty), before the run begins. */
  compiled(output: Buffer): void;
  output(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** The program runs: signals reach it from now until it ends. */
  running(control: RunControl): void;
}
