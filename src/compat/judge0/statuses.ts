import os from 'node:os';
import type { Submission } from '../../store/index.js';

export interface Judge0Status {
  readonly id: number;
  readonly description: string;
}

/** Judge0 CE 1.13.1's status enumeration, ids and words exactly. */
export const STATUSES: readonly Judge0Status[] = [
  { id: 1, description: 'In Queue' },
  { id: 2, description: 'Processing' },
  { id: 3, description: 'Accepted' },
  { id: 4, description: 'Wrong Answer' },
  { id: 5, description: 'Time Limit Exceeded' },
  { id: 6, description: 'Compilation Error' },
  { id: 7, description: 'Runtime Error (SIGSEGV)' },
  { id: 8, description: 'Runtime Error (SIGXFSZ)' },
  { id: 9, description: 'Runtime Error (SIGFPE)' },
  { id: 10, description: 'Runtime Error (SIGABRT)' },
  { id: 11, description: 'Runtime Error (NZEC)' },
  { id: 12, description: 'Runtime Error (Other)' },
  { id: 13, description: 'Internal Error' },
  { id: 14, description: 'Exec Format Error' },
];

export function statusById(id: number): Judge0Status {
  return STATUSES[id - 1];
}

/**
 * Judge0 names a runtime error after the signal that ended the program, for these four only,
 * by number (SIGSEGV, SIGXFSZ, SIGFPE, SIGABRT on Linux): a name could be an alias (SIGIOT).
 */
const STATUS_BY_SIGNAL: Readonly<Record<number, number>> = { 11: 7, 25: 8, 8: 9, 6: 10 };

/** Everything Judge0 reports about a run: times in ms and memory in KB (fields.ts renders the times as seconds). */
export interface Judge0Outcome {
  readonly statusId: number;
  readonly timeMs: number | null;
  readonly wallTimeMs: number | null;
  readonly memoryKb: number | null;
  readonly stdout: Buffer | null;
  readonly stderr: Buffer | null;
  readonly compileOutput: Buffer | null;
  readonly exitCode: number | null;
  readonly exitSignal: number | null;
  readonly message: string | null;
}

const signalNumber = (name: string | null): number | null =>
  name === null ? null : ((os.constants.signals as Record<string, number>)[name] ?? null);

/** Judge0 stores an empty output as null, never as "". */
const orNull = (b: Buffer | undefined): Buffer | null => (b && b.length > 0 ? b : null);

const PENDING: Omit<Judge0Outcome, 'statusId'> = {
  timeMs: null, wallTimeMs: null, memoryKb: null, stdout: null, stderr: null, compileOutput: null, exitCode: null, exitSignal: null, message: null,
};

/**
 * Our result as Judge0 would have reported the same run. Judge0 has no memory or output limit
 * status: a program over its cgroup memory is killed by the kernel with SIGKILL, which Judge0
 * reports as Runtime Error (Other); one whose runtime caught the shortage itself exits non-zero
 * (NZEC). Output past the file size limit gets SIGXFSZ from the kernel there. A program killed
 * by a signal has exit code 0 in Judge0 (its sandbox reports no exit status then).
 */
export function judge0Outcome(s: Submission): Judge0Outcome {
  if (s.status === 'queued') return { statusId: 1, ...PENDING };
  if (s.status === 'running' || s.result === null) return { statusId: 2, ...PENDING };
  const r = s.result;
  const run = {
    timeMs: r.cpuTimeMs,
    wallTimeMs: r.wallTimeMs,
    memoryKb: r.memoryKb,
    stdout: orNull(r.stdout),
    stderr: orNull(r.stderr),
    compileOutput: orNull(r.compileOutput),
    exitCode: r.exitCode ?? 0,
    exitSignal: signalNumber(r.signal),
    message: null as string | null,
  };
  switch (r.verdict) {
    case 'accepted':
      return { statusId: 3, ...run };
    case 'wrong_answer':
      return { statusId: 4, ...run };
    case 'time_limit_exceeded':
      return { statusId: 5, ...run, message: r.verdictDetail === 'wall' ? 'Time limit exceeded (wall clock)' : 'Time limit exceeded' };
    case 'compile_error':
      return { statusId: 6, ...PENDING, compileOutput: orNull(r.compileOutput), message: r.message };
    case 'runtime_error':
      if (r.signal !== null) return { statusId: STATUS_BY_SIGNAL[run.exitSignal ?? 0] ?? 12, ...run, message: `Caught fatal signal ${run.exitSignal ?? r.signal}` };
      return { statusId: 11, ...run, message: `Exited with error status ${r.exitCode}` };
    case 'memory_limit_exceeded':
      if (r.signal === null && r.exitCode !== null && r.exitCode !== 0) return { statusId: 11, ...run, message: 'Memory limit exceeded' };
      return { statusId: 12, ...run, exitSignal: run.exitSignal ?? signalNumber('SIGKILL'), message: 'Memory limit exceeded' };
    case 'output_limit_exceeded':
      return {
        statusId: 8,
        ...run,
        exitSignal: signalNumber('SIGXFSZ'),
        message: r.verdictDetail === 'file_size' ? 'File size limit exceeded' : 'Output limit exceeded',
      };
    case 'internal_error':
      return { statusId: 13, ...PENDING, compileOutput: orNull(r.compileOutput), message: r.message ?? 'internal error' };
  }
}
