import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JudgeResult } from '../../src/judge/index.js';
import type { NewSubmission, Store } from '../../src/store/index.js';

/** What every Store adapter guarantees, run against each of them with a real database. */
export function storeContract(name: string, open: () => Promise<{ store: Store; close(): Promise<void> }>): void {
  describe(`${name} store contract`, () => {
    let store: Store;
    let close: () => Promise<void>;
    let n = 0;

    before(async () => {
      ({ store, close } = await open());
    });
    after(async () => {
      await close();
    });

    const submission = (over: Partial<NewSubmission> = {}): NewSubmission => ({
      id: `${name}-${process.pid}-${++n}`,
      language: 'python',
      files: [{ name: 'main.py', content: Buffer.from('print(1)\n') }, { name: 'data.bin', content: Buffer.from([0, 255, 10]) }],
      stdin: Buffer.from('in\n'),
      args: ['a b', '$x'],
      compileOptions: ['-O2'],
      expectedOutput: Buffer.from('1\n'),
      limits: { cpuTimeMs: 1000, wallTimeMs: 2000, memoryKb: 65536, processes: 8, outputKb: 64, fileSizeKb: 64, stackKb: 8192 },
      createdAt: Date.now() + n,
      ...over,
    });
    const result: JudgeResult = {
      verdict: 'accepted', verdictDetail: null, exitCode: 0, signal: null, cpuTimeMs: 12, wallTimeMs: 15, memoryKb: 3400,
      stdout: Buffer.from([0xff, 0x41]), stderr: Buffer.from('warn'), compileOutput: Buffer.alloc(0), message: null,
    };

    test('an inserted submission reads back whole, binary content included', async () => {
      const s = submission();
      await store.insert(s);
      const got = await store.get(s.id);
      assert.ok(got);
      assert.equal(got.status, 'queued');
      assert.deepEqual(got.files, s.files);
      assert.deepEqual(got.stdin, s.stdin);
      assert.deepEqual(got.args, s.args);
      assert.deepEqual(got.compileOptions, s.compileOptions);
      assert.deepEqual(got.expectedOutput, s.expectedOutput);
      assert.deepEqual(got.limits, s.limits);
      assert.equal(got.createdAt, s.createdAt);
      assert.equal(got.result, null);
      assert.equal(await store.get('no-such-id'), null);
    });

    test('a submission is claimed once; a second worker is refused until the lease expires', async () => {
      const s = submission();
      await store.insert(s);
      const now = Date.now();
      const first = await store.claim(s.id, 'w1', 1000, now);
      assert.equal(first?.status, 'running');
      assert.equal(first?.attempts, 1);
      assert.equal(await store.claim(s.id, 'w2', 1000, now + 10), null, 'duplicate delivery skipped');
      const taken = await store.claim(s.id, 'w2', 1000, now + 2000);
      assert.equal(taken?.attempts, 2, 'a dead worker\'s claim is taken over after its lease');
      assert.equal(await store.finish(s.id, 'w1', result, now + 2100), false, 'the old holder cannot store a result');
      assert.equal(await store.finish(s.id, 'w2', result, now + 2200), true);
      const done = await store.get(s.id);
      assert.equal(done?.status, 'finished');
      assert.equal(done?.finishedAt, now + 2200);
      assert.deepEqual(done?.result, result);
      assert.equal(await store.claim(s.id, 'w3', 1000, now + 99_999), null, 'a finished submission is never claimed');
    });

    test('release queues a claim again; unfinished ids come oldest first; counts add up', async () => {
      const a = submission({ createdAt: 1 });
      const b = submission({ createdAt: 2 });
      await store.insert(b);
      await store.insert(a);
      await store.claim(a.id, 'w', 60_000, Date.now());
      await store.release(a.id, 'w');
      assert.equal((await store.get(a.id))?.status, 'queued');
      const ids = await store.listUnfinished(1000);
      assert.ok(ids.indexOf(a.id) >= 0 && ids.indexOf(a.id) < ids.indexOf(b.id));
      const counts = await store.countByStatus();
      assert.ok(counts.queued >= 2);
      await store.ping();
    });

    test('inserting an id twice is refused', async () => {
      const s = submission();
      await store.insert(s);
      await assert.rejects(() => store.insert(s));
    });
  });
}
