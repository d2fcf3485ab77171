import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideVerdict } from '../../src/judge/verdict.js';
import type { LimitExceeded, RunOutcome } from '../../src/sandbox/Sandbox.js';

/** How a run's outcome becomes the verdict a user sees. */
function outcome(over: Partial<RunOutcome> = {}): RunOutcome {
  return {
    exitCode: 0,
    signal: null,
    cpuTimeMs: 10,
    wallTimeMs: 20,
    memoryKb: 1024,
    stdout: Buffer.from('42\n'),
    stderr: Buffer.alloc(0),
    limitExceeded: null,
    ...over,
  };
}

const expected = Buffer.from('42\n');
const wrong = Buffer.from('41\n');

describe('decideVerdict', () => {
  test('correct output with exit 0 is accepted', () => {
    assert.deepEqual(decideVerdict(outcome(), expected), { verdict: 'accepted', detail: null });
  });

  test('without expected output any clean exit is accepted', () => {
    assert.deepEqual(decideVerdict(outcome({ stdout: Buffer.from('anything') }), null), { verdict: 'accepted', detail: null });
  });

  test('output differing from the expected output is a wrong answer', () => {
    assert.deepEqual(decideVerdict(outcome({ stdout: wrong }), expected), { verdict: 'wrong_answer', detail: null });
  });

  test('output differing only in trailing whitespace is accepted', () => {
    assert.deepEqual(decideVerdict(outcome({ stdout: Buffer.from('42   \r\n\n') }), expected), { verdict: 'accepted', detail: null });
  });

  // Every failure at once: the limit must still win.
  const everything: Partial<RunOutcome> = { exitCode: 137, signal: 'SIGKILL', stdout: wrong, stderr: Buffer.from('OutOfMemoryError') };
  const limits: Array<[LimitExceeded, string, string | null]> = [
    ['cpu', 'time_limit_exceeded', 'cpu'],
    ['wall', 'time_limit_exceeded', 'wall'],
    ['memory', 'memory_limit_exceeded', null],
    ['output', 'output_limit_exceeded', 'output'],
    ['file_size', 'output_limit_exceeded', 'file_size'],
  ];
  for (const [limit, verdict, detail] of limits) {
    test(`limit ${limit} wins over signal, exit code, wrong output and OOM pattern`, () => {
      assert.deepEqual(decideVerdict(outcome({ ...everything, limitExceeded: limit }), expected, /OutOfMemoryError/), { verdict, detail });
    });
  }

  test('a signal wins over a non-zero exit and wrong output', () => {
    assert.deepEqual(decideVerdict(outcome({ exitCode: 139, signal: 'SIGSEGV', stdout: wrong }), expected), {
      verdict: 'runtime_error',
      detail: 'SIGSEGV',
    });
  });

  test('killed by SIGSEGV is a runtime error naming the signal', () => {
    assert.deepEqual(decideVerdict(outcome({ exitCode: null, signal: 'SIGSEGV' }), expected), { verdict: 'runtime_error', detail: 'SIGSEGV' });
  });

  test('a non-zero exit wins over wrong output', () => {
    assert.deepEqual(decideVerdict(outcome({ exitCode: 3, stdout: wrong }), expected), { verdict: 'runtime_error', detail: 'exit code 3' });
  });

  test('a non-zero exit with correct output is still a runtime error', () => {
    assert.deepEqual(decideVerdict(outcome({ exitCode: 1 }), expected), { verdict: 'runtime_error', detail: 'exit code 1' });
  });

  test('exit code 137 without a limit is a runtime error, not a memory limit', () => {
    assert.deepEqual(decideVerdict(outcome({ exitCode: 137 }), expected), { verdict: 'runtime_error', detail: 'exit code 137' });
  });

  test('an out-of-memory pattern in the stderr of a failed run is a memory limit', () => {
    const stderr = Buffer.from('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n');
    assert.deepEqual(decideVerdict(outcome({ exitCode: 1, stderr }), expected, /java\.lang\.OutOfMemoryError/), {
      verdict: 'memory_limit_exceeded',
      detail: 'runtime out of memory',
    });
    assert.deepEqual(decideVerdict(outcome({ exitCode: null, signal: 'SIGABRT', stderr }), expected, /OutOfMemoryError/), {
      verdict: 'memory_limit_exceeded',
      detail: 'runtime out of memory',
    });
  });

  test('an out-of-memory pattern in the stderr of a run that exited 0 changes nothing', () => {
    const stderr = Buffer.from('warning: OutOfMemoryError handled\n');
    assert.deepEqual(decideVerdict(outcome({ stderr }), expected, /OutOfMemoryError/), { verdict: 'accepted', detail: null });
    assert.deepEqual(decideVerdict(outcome({ stderr, stdout: wrong }), expected, /OutOfMemoryError/), { verdict: 'wrong_answer', detail: null });
  });

  test('an out-of-memory pattern that does not match leaves a runtime error', () => {
    assert.deepEqual(decideVerdict(outcome({ exitCode: 1, stderr: Buffer.from('NullPointerException') }), expected, /OutOfMemoryError/), {
      verdict: 'runtime_error',
      detail: 'exit code 1',
    });
  });
});
