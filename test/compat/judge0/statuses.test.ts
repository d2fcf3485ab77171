import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JudgeResult } from '../../../src/judge/index.js';
import { judge0Outcome } from '../../../src/compat/judge0/statuses.js';
import type { Submission } from '../../../src/store/index.js';

/** Our verdicts as a Judge0 client reads them: status ids, exit codes, signals, messages. */
function finished(result: Partial<JudgeResult>): Submission {
  const base: JudgeResult = {
    verdict: 'accepted', verdictDetail: null, exitCode: 0, signal: null, cpuTimeMs: 12, wallTimeMs: 20, memoryKb: 3000,
    stdout: Buffer.from('out'), stderr: Buffer.alloc(0), compileOutput: Buffer.alloc(0), message: null,
  };
  return {
    id: 'id', language: 'c', files: [], stdin: Buffer.alloc(0), args: [], compileOptions: [], expectedOutput: null,
    limits: { cpuTimeMs: 1, wallTimeMs: 1, memoryKb: 1, processes: 1, outputKb: 1, fileSizeKb: 1, stackKb: 1 },
    options: {}, createdAt: 0, status: 'finished', attempts: 1, startedAt: 0, finishedAt: 1, result: { ...base, ...result },
  };
}

test('queued and running are 1 and 2, with nothing measured yet', () => {
  const queued = { ...finished({}), status: 'queued' as const, result: null };
  assert.equal(judge0Outcome(queued).statusId, 1);
  assert.equal(judge0Outcome({ ...queued, status: 'running' }).statusId, 2);
  assert.equal(judge0Outcome(queued).timeMs, null);
});

test('each verdict has its Judge0 status', () => {
  const cases: Array<[Partial<JudgeResult>, number, number | null, string | null]> = [
    [{ verdict: 'accepted' }, 3, null, null],
    [{ verdict: 'wrong_answer' }, 4, null, null],
    [{ verdict: 'time_limit_exceeded', verdictDetail: 'wall', signal: 'SIGKILL', exitCode: null }, 5, 9, 'Time limit exceeded (wall clock)'],
    [{ verdict: 'runtime_error', signal: 'SIGSEGV', exitCode: null }, 7, 11, 'Caught fatal signal 11'],
    [{ verdict: 'runtime_error', signal: 'SIGXFSZ', exitCode: null }, 8, 25, 'Caught fatal signal 25'],
    [{ verdict: 'runtime_error', signal: 'SIGFPE', exitCode: null }, 9, 8, 'Caught fatal signal 8'],
    [{ verdict: 'runtime_error', signal: 'SIGABRT', exitCode: null }, 10, 6, 'Caught fatal signal 6'],
    [{ verdict: 'runtime_error', signal: 'SIGIOT', exitCode: null }, 10, 6, 'Caught fatal signal 6'],
    [{ verdict: 'runtime_error', exitCode: 3 }, 11, null, 'Exited with error status 3'],
    [{ verdict: 'runtime_error', signal: 'SIGTERM', exitCode: null }, 12, 15, 'Caught fatal signal 15'],
    [{ verdict: 'memory_limit_exceeded', signal: 'SIGKILL', exitCode: null }, 12, 9, 'Memory limit exceeded'],
    [{ verdict: 'memory_limit_exceeded', verdictDetail: 'runtime out of memory', exitCode: 1 }, 11, null, 'Memory limit exceeded'],
    [{ verdict: 'output_limit_exceeded', verdictDetail: 'output', signal: 'SIGKILL', exitCode: null }, 8, 25, 'Output limit exceeded'],
    [{ verdict: 'internal_error', message: 'sandbox broke' }, 13, null, 'sandbox broke'],
  ];
  for (const [result, status, signal, message] of cases) {
    const o = judge0Outcome(finished(result));
    assert.deepEqual([o.statusId, o.exitSignal, o.message], [status, signal, message], JSON.stringify(result));
  }
});

test('a signal leaves exit code 0, as Judge0 reports it; empty output is null', () => {
  const o = judge0Outcome(finished({ verdict: 'runtime_error', signal: 'SIGSEGV', exitCode: null }));
  assert.equal(o.exitCode, 0);
  assert.equal(o.stderr, null);
  assert.equal(o.stdout?.toString(), 'out');
});

test('a compile error reports only the compiler output', () => {
  const o = judge0Outcome(finished({ verdict: 'compile_error', compileOutput: Buffer.from('bad'), exitCode: 1 }));
  assert.deepEqual([o.statusId, o.timeMs, o.memoryKb, o.stdout, o.exitCode, o.compileOutput?.toString()], [6, null, null, null, null, 'bad']);
});
