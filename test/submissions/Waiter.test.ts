import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Submission } from '../../src/store/index.js';
import { Waiter } from '../../src/submissions/Waiter.js';

const FINISHED = { id: 'a', status: 'finished' } as unknown as Submission;

describe('Waiter', () => {
  test('a notification carrying the finished submission hands it to the check', async () => {
    const waiter = new Waiter(60_000);
    const seen: Array<Submission | undefined> = [];
    const waiting = waiter.wait('a', 60_000, async (finished) => {
      seen.push(finished);
      return finished !== undefined;
    });
    await new Promise((resolve) => setImmediate(resolve));
    waiter.notify('a', FINISHED);
    await waiting;
    assert.deepEqual(seen, [undefined, FINISHED]);
  });

  test('a bare notification re-runs the check without a submission', async () => {
    const waiter = new Waiter(60_000);
    let calls = 0;
    const waiting = waiter.wait('b', 60_000, async (finished) => {
      assert.equal(finished, undefined);
      return ++calls === 2;
    });
    await new Promise((resolve) => setImmediate(resolve));
    waiter.notify('b');
    await waiting;
    assert.equal(calls, 2);
  });

  test('without a notification the check is polled, and the wait ends at the timeout', async () => {
    const waiter = new Waiter(10);
    let calls = 0;
    await waiter.wait('c', 50, async () => {
      calls++;
      return false;
    });
    assert.ok(calls >= 2, `polled ${calls} times`);
  });

  test('a notification for another id does not wake the wait', async () => {
    const waiter = new Waiter(60_000);
    let calls = 0;
    const waiting = waiter.wait('d', 60_000, async (finished) => {
      calls++;
      return finished !== undefined;
    });
    await new Promise((resolve) => setImmediate(resolve));
    waiter.notify('other', FINISHED);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 1);
    waiter.notify('d', FINISHED);
    await waiting;
  });
});
