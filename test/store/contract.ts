import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { JudgeResult } from '../../src/judge/index.js';
import type { NewSubmission, Store } from '../../src/store/index.js';

/** A store adapter prepared for the contract: `reset` empties it before every test. */
export interface StoreUnderTest {
  readonly store: Store;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const LIMITS = { cpuTimeMs: 2000, wallTimeMs: 5000, memoryKb: 131072, processes: 32, outputKb: 512, fileSizeKb: 1024, stackKb: 8192 };

export function submission(id: string, createdAt = 1_000, over: Partial<NewSubmission> = {}): NewSubmission {
  return {
    id,
    language: 'python3',
    files: [
      { name: 'main.py', content: Buffer.from('print(input())\n') },
      { name: 'data.bin', content: Buffer.from([0x00, 0xff, 0x10, 0x80]) },
    ],
    stdin: Buffer.from([0x68, 0x69, 0x0a, 0x00, 0xfe]),
    args: ['--fast', 'two words', ''],
    compileOptions: ['-O2'],
    expectedOutput: Buffer.from('hi\n'),
    limits: LIMITS,
    options: {},
    createdAt,
    ...over,
  };
}

/** A finished run's result, for tests that need one stored. */
export const RESULT: JudgeResult = {
  verdict: 'runtime_error',
  verdictDetail: 'exit code 3',
  exitCode: 3,
  signal: null,
  cpuTimeMs: 12,
  wallTimeMs: 34,
  memoryKb: 5678,
  stdout: Buffer.from('partial\n'),
  stderr: Buffer.from([0x62, 0x61, 0x64, 0xff]),
  compileOutput: Buffer.alloc(0),
  message: null,
};


export const LEASE = 30_000;

/**
 * What every Store adapter guarantees, run against each of them with a real database: what a
 * user gets back from GET, and what survives duplicate deliveries and dead workers.
 */
export function storeContract(name: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`${name} store contract`, () => {
    let sut: StoreUnderTest;
    const store = (): Store => sut.store;
    before(async () => {
      sut = await setup();
    });
    after(async () => {
      await sut.close();
    });
    beforeEach(async () => {
      await sut.reset();
    });

    describe('insert and get', () => {
      test('round-trips files, stdin, args, compile options, expected output and limits', async () => {
        const s = submission('sub-1', 1234);
        await store().insert(s);
        const got = await store().get('sub-1');
        assert.ok(got);
        assert.equal(got.id, 'sub-1');
        assert.equal(got.language, 'python3');
        assert.deepEqual(got.files, s.files);
        assert.deepEqual(got.stdin, s.stdin);
        assert.deepEqual(got.args, s.args);
        assert.deepEqual(got.compileOptions, s.compileOptions);
        assert.deepEqual(got.expectedOutput, s.expectedOutput);
        assert.deepEqual(got.limits, LIMITS);
        assert.equal(got.createdAt, 1234);
        assert.equal(got.status, 'queued');
        assert.equal(got.attempts, 0);
        assert.equal(got.startedAt, null);
        assert.equal(got.finishedAt, null);
        assert.equal(got.result, null);
      });

      test('options (tests, comparison, checker, callback, compat fields) and per-test results round-trip byte for byte', async () => {
        const options = {
          tests: [
            { stdin: Buffer.from([0x31, 0x0a, 0xff]), expectedOutput: Buffer.from('1\n'), limits: { cpuTimeMs: 500 } },
            { stdin: Buffer.alloc(0), expectedOutput: null },
          ],
          stopOnFirstFailure: true,
          comparison: { mode: 'numbers' as const, absolute: 1e-6, relative: 0 },
          checker: { languageId: 'python', files: [{ name: 'check.py', content: Buffer.from('print("ok")\n') }] },
          callback: { url: 'https://example.test/hook', format: 'judge0' as const },
          compat: { number_of_runs: 1, nested: { $b64: 'not a buffer', other: 1 } },
        };
        await store().insert(submission('opt', 1_000, { options }));
        const got = await store().get('opt');
        assert.deepEqual(got?.options, options);
        await store().claim('opt', 'w', LEASE, 2_000);
        const tests = [
          { verdict: 'accepted' as const, verdictDetail: null, exitCode: 0, signal: null, cpuTimeMs: 1, wallTimeMs: 2, memoryKb: 3, stdout: Buffer.from([0x00, 0x01]), stderr: Buffer.alloc(0), checkerOutput: null },
          { verdict: 'wrong_answer' as const, verdictDetail: null, exitCode: 0, signal: null, cpuTimeMs: 1, wallTimeMs: 2, memoryKb: 3, stdout: Buffer.from('2\n'), stderr: Buffer.alloc(0), checkerOutput: Buffer.from('expected 1') },
        ];
        await store().finish('opt', 'w', { ...RESULT, tests }, 3_000);
        assert.deepEqual((await store().get('opt'))?.result?.tests, tests);
      });

      test('no expected output and empty stdin round-trip', async () => {
        await store().insert(submission('sub-2', 1, { expectedOutput: null, stdin: Buffer.alloc(0), args: [] }));
        const got = await store().get('sub-2');
        assert.ok(got);
        assert.equal(got.expectedOutput, null);
        assert.equal(got.stdin.length, 0);
        assert.deepEqual(got.args, []);
      });

      test('an unknown id is null', async () => {
        assert.equal(await store().get('nope'), null);
      });

      test('onCommitted is told once, before insert resolves, and the row can be claimed from there', async () => {
        const order: string[] = [];
        let claimed: Promise<unknown> | null = null;
        await store().insert(submission('committed'), () => {
          order.push('committed');
          claimed = store().claim('committed', 'w1', 60_000, Date.now());
        });
        order.push('resolved');
        assert.deepEqual(order, ['committed', 'resolved']);
        assert.equal(((await claimed) as { id: string } | null)?.id, 'committed');
      });

      test('a duplicate id is rejected', async () => {
        await store().insert(submission('dup'));
        await assert.rejects(store().insert(submission('dup')));
      });
    });

    describe('claims', () => {
      test('a queued submission is claimed once; a duplicate delivery gets null', async () => {
        await store().insert(submission('s'));
        const claimed = await store().claim('s', 'worker-a', LEASE, 10_000);
        assert.ok(claimed);
        assert.equal(claimed.status, 'running');
        assert.equal(claimed.attempts, 1);
        assert.equal(claimed.startedAt, 10_000);
        assert.deepEqual(claimed.files, submission('s').files);
        assert.equal(await store().claim('s', 'worker-b', LEASE, 10_001), null);
        assert.equal(await store().claim('s', 'worker-a', LEASE, 10_002), null, 'even the holder cannot claim twice');
        assert.equal((await store().get('s'))?.attempts, 1);
      });

      test('an unknown id cannot be claimed', async () => {
        assert.equal(await store().claim('nope', 'worker-a', LEASE, 1), null);
      });

      test('a claim whose lease expired is taken over by another worker', async () => {
        await store().insert(submission('s'));
        assert.ok(await store().claim('s', 'worker-a', LEASE, 10_000));
        assert.equal(await store().claim('s', 'worker-b', LEASE, 10_000 + LEASE), null, 'the lease is still valid at its last instant');
        const taken = await store().claim('s', 'worker-b', LEASE, 10_000 + LEASE + 1);
        assert.ok(taken);
        assert.equal(taken.attempts, 2);
        assert.equal(taken.status, 'running');
      });

      test('the holder renews its lease, so no one takes the claim over while it runs', async () => {
        await store().insert(submission('s'));
        await store().claim('s', 'worker-a', LEASE, 10_000);
        assert.equal(await store().renew('s', 'worker-a', LEASE, 10_000 + LEASE - 1), true);
        assert.equal(await store().claim('s', 'worker-b', LEASE, 10_000 + LEASE + 1), null, 'the renewed lease still holds');
        assert.equal(await store().renew('s', 'worker-b', LEASE, 10_000 + LEASE + 2), false, 'only the holder renews');
        assert.ok(await store().claim('s', 'worker-b', LEASE, 10_000 + 2 * LEASE));
        assert.equal(await store().renew('s', 'worker-a', LEASE, 10_000 + 2 * LEASE + 1), false, 'a lost claim cannot be renewed');
      });

      test('finish by a worker that lost the claim is refused; the holder finishes', async () => {
        await store().insert(submission('s'));
        await store().claim('s', 'worker-a', LEASE, 10_000);
        await store().claim('s', 'worker-b', LEASE, 10_000 + LEASE + 1);
        assert.equal(await store().finish('s', 'worker-a', { ...RESULT, verdict: 'accepted' }, 50_000), false);
        assert.equal((await store().get('s'))?.status, 'running');
        assert.equal(await store().finish('s', 'worker-b', RESULT, 50_001), true);
        const got = await store().get('s');
        assert.ok(got);
        assert.equal(got.status, 'finished');
        assert.equal(got.finishedAt, 50_001);
        assert.deepEqual(got.result, RESULT);
      });

      test('a finished submission cannot be claimed or finished again', async () => {
        await store().insert(submission('s'));
        await store().claim('s', 'worker-a', LEASE, 10_000);
        assert.equal(await store().finish('s', 'worker-a', RESULT, 11_000), true);
        assert.equal(await store().claim('s', 'worker-b', LEASE, 10_000_000), null);
        assert.equal(await store().finish('s', 'worker-a', { ...RESULT, verdict: 'accepted' }, 12_000), false);
        assert.equal((await store().get('s'))?.result?.verdict, 'runtime_error');
      });

      test('finish on a queued (never claimed) submission is refused', async () => {
        await store().insert(submission('s'));
        assert.equal(await store().finish('s', 'worker-a', RESULT, 1), false);
        assert.equal((await store().get('s'))?.status, 'queued');
      });

      test('release by the holder requeues; release by another worker does nothing', async () => {
        await store().insert(submission('s'));
        await store().claim('s', 'worker-a', LEASE, 10_000);
        await store().release('s', 'worker-b');
        assert.equal((await store().get('s'))?.status, 'running');
        await store().release('s', 'worker-a');
        assert.equal((await store().get('s'))?.status, 'queued');
        const again = await store().claim('s', 'worker-b', LEASE, 10_001);
        assert.ok(again, 'a released submission is claimable at once');
        assert.equal(again.attempts, 2);
        assert.equal(await store().finish('s', 'worker-a', RESULT, 10_002), false, 'the old holder no longer holds it');
      });

      test('requeueAllRunning puts every running submission back and counts them', async () => {
        for (const id of ['a', 'b', 'c', 'd']) await store().insert(submission(id));
        await store().claim('a', 'w1', LEASE, 1);
        await store().claim('b', 'w2', LEASE, 1);
        await store().claim('c', 'w1', LEASE, 1);
        await store().finish('c', 'w1', RESULT, 2);
        assert.equal(await store().requeueAllRunning(), 2);
        assert.equal((await store().get('a'))?.status, 'queued');
        assert.equal((await store().get('b'))?.status, 'queued');
        assert.equal((await store().get('c'))?.status, 'finished');
        assert.equal((await store().get('d'))?.status, 'queued');
        assert.ok(await store().claim('a', 'w3', LEASE, 3), 'a requeued submission is claimable before its lease ends');
        assert.equal(await store().requeueAllRunning(), 1);
      });
    });

    describe('listing and counts', () => {
      test('listUnfinished returns queued and running ids oldest first, without finished ones', async () => {
        await store().insert(submission('newest', 300));
        await store().insert(submission('oldest', 100));
        await store().insert(submission('middle', 200));
        await store().insert(submission('done', 50));
        await store().insert(submission('tie-b', 250));
        await store().insert(submission('tie-a', 250));
        await store().claim('done', 'w', LEASE, 1);
        await store().finish('done', 'w', RESULT, 2);
        await store().claim('middle', 'w', LEASE, 1);
        assert.deepEqual(await store().listUnfinished(100), ['oldest', 'middle', 'tie-a', 'tie-b', 'newest']);
        assert.deepEqual(await store().listUnfinished(2), ['oldest', 'middle']);
      });

      test('listStranded finds submissions queued too long and claims whose lease expired, oldest first', async () => {
        await store().insert(submission('fresh', 900));
        await store().insert(submission('old', 100));
        await store().insert(submission('running-live', 200));
        await store().insert(submission('running-dead', 300));
        await store().insert(submission('done', 50));
        await store().claim('running-live', 'w', LEASE, 1_000);
        await store().claim('running-dead', 'w', 10, 1_000);
        await store().claim('done', 'w', 10, 1_000);
        await store().finish('done', 'w', RESULT, 1_001);
        assert.deepEqual(await store().listStranded(500, 2_000, 100), ['old', 'running-dead']);
        assert.deepEqual(await store().listStranded(1_000, 2_000, 1), ['old']);
        assert.deepEqual(await store().listStranded(0, 0, 100), []);
      });

      test('countUnfinished counts queued and running submissions, not finished ones', async () => {
        assert.equal(await store().countUnfinished(), 0);
        for (const id of ['a', 'b', 'c', 'd']) await store().insert(submission(id));
        await store().claim('a', 'w', LEASE, 1);
        await store().claim('b', 'w', LEASE, 1);
        await store().finish('b', 'w', RESULT, 2);
        assert.equal(await store().countUnfinished(), 3);
      });
    });
  });
}
