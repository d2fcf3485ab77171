import assert from 'node:assert/strict';
import type dns from 'node:dns';
import { afterEach, beforeEach, test } from 'node:test';
import { submissionView } from '../../src/api/view.js';
import { CallbackDispatcher, HttpCallbackSender, type CallbackFormatters, type CallbackResult } from '../../src/callbacks/index.js';
import type { Submission } from '../../src/store/index.js';
import { startReceiver, type Receiver, type Respond } from '../helpers/receiver.js';
import { sleep, until } from '../helpers/wait.js';

/** Retries, give-up, redirects and address checks of real HTTP callbacks to a server on 127.0.0.1. */
let receiver: Receiver;
let dispatcher: CallbackDispatcher | undefined;
const results: CallbackResult[] = [];
const warnings: string[] = [];

const log = {
  debug: () => undefined,
  info: () => undefined,
  warn: (_obj: object, msg: string) => void warnings.push(msg),
  error: (_obj: object, msg: string) => void warnings.push(msg),
};

function finished(id: string, url: string, format: 'verdict' | 'judge0' = 'verdict'): Submission {
  return {
    id,
    language: 'python',
    files: [{ name: 'main.py', content: Buffer.from('print(42)') }],
    stdin: Buffer.alloc(0),
    args: [],
    compileOptions: [],
    expectedOutput: null,
    limits: { cpuTimeMs: 1000, wallTimeMs: 2000, memoryKb: 65536, processes: 8, outputKb: 64, fileSizeKb: 64, stackKb: 8192 },
    options: { callback: { url, format } },
    createdAt: 1_700_000_000_000,
    status: 'finished',
    attempts: 1,
    startedAt: 1_700_000_000_100,
    finishedAt: 1_700_000_000_200,
    result: {
      verdict: 'accepted',
      verdictDetail: null,
      exitCode: 0,
      signal: null,
      cpuTimeMs: 12,
      wallTimeMs: 20,
      memoryKb: 4000,
      stdout: Buffer.from('42\n'),
      stderr: Buffer.alloc(0),
      compileOutput: Buffer.alloc(0),
      message: null,
    },
  } as Submission;
}

function start(opts: { attempts?: number; allowPrivate?: boolean; timeoutMs?: number; formatters?: CallbackFormatters; lookup?: typeof dns.lookup } = {}): CallbackDispatcher {
  dispatcher = new CallbackDispatcher({
    sender: new HttpCallbackSender({ allowPrivate: opts.allowPrivate ?? true, timeoutMs: opts.timeoutMs ?? 2000, lookup: opts.lookup }),
    formatters: opts.formatters,
    metrics: { ended: (r) => void results.push(r) },
    log,
    maxAttempts: opts.attempts ?? 3,
    baseDelayMs: 20,
  });
  return dispatcher;
}

async function listen(respond: Respond): Promise<void> {
  receiver = await startReceiver(respond);
}

beforeEach(() => {
  results.length = 0;
  warnings.length = 0;
});

afterEach(async () => {
  await dispatcher?.stop();
  dispatcher = undefined;
  await receiver?.close();
});

test('a callback POSTs the native view as JSON and counts as delivered on a 2xx', async () => {
  await listen(() => ({ status: 204 }));
  const submission = finished('s-1', '');
  start().submissionFinished(finished('s-1', `${receiver.url}/hook?token=t`));
  const [got] = await receiver.waitFor('/hook?token=t', 1);
  assert.equal(got.method, 'POST');
  assert.match(String(got.headers['content-type']), /^application\/json/);
  assert.deepEqual(JSON.parse(got.body), submissionView(submission));
  await until('the delivery is counted', () => results.length === 1);
  assert.deepEqual(results, ['delivered']);
  assert.equal(dispatcher?.pending, 0);
});

test('after two 500s the third attempt succeeds, each after a longer wait', async () => {
  await listen((_req, nth) => ({ status: nth < 2 ? 500 : 200 }));
  start({ attempts: 5 }).submissionFinished(finished('s-2', `${receiver.url}/flaky`));
  const got = await receiver.waitFor('/flaky', 3);
  await until('the delivery is counted', () => results.length === 1);
  assert.deepEqual(results, ['delivered']);
  const gaps = [got[1].at - got[0].at, got[2].at - got[1].at];
  // Equal jitter keeps at least half of each step: 20 ms, then 40 ms.
  assert.ok(gaps[0] >= 9 && gaps[1] >= 19, `waits grow: ${gaps.join(', ')} ms`);
  await sleep(200);
  assert.equal(receiver.requests.length, 3, 'nothing after the success');
});

test('a receiver that always fails gets exactly the configured attempts, then the callback is given up', async () => {
  await listen(() => ({ status: 503 }));
  start({ attempts: 3 }).submissionFinished(finished('s-3', `${receiver.url}/down`));
  await receiver.waitFor('/down', 3);
  await until('the failure is counted', () => results.length === 1);
  await sleep(300);
  assert.equal(receiver.requests.length, 3);
  assert.deepEqual(results, ['failed']);
  assert.ok(warnings.some((w) => /failed 3 times; giving up/.test(w)), warnings.join('\n'));
});

test('a redirect is not followed: it is a failed attempt', async () => {
  await listen((req) => (req.path === '/moved' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 }));
  start({ attempts: 2 }).submissionFinished(finished('s-4', `${receiver.url}/moved`));
  await receiver.waitFor('/moved', 2);
  await until('the failure is counted', () => results.length === 1);
  assert.deepEqual(results, ['failed']);
  assert.equal(receiver.requests.filter((r) => r.path === '/elsewhere').length, 0, 'the redirect target was never called');
});

test('an attempt that gets no answer in time fails and is retried', async () => {
  await listen((_req, nth) => (nth === 0 ? 'hang' : { status: 200 }));
  start({ attempts: 2, timeoutMs: 200 }).submissionFinished(finished('s-5', `${receiver.url}/slow`));
  await receiver.waitFor('/slow', 2);
  await until('the delivery is counted', () => results.length === 1);
  assert.deepEqual(results, ['delivered']);
});

test('a loopback destination is refused at delivery, literal or resolved, without a connection', async () => {
  await listen(() => ({ status: 200 }));
  const port = new URL(receiver.url).port;
  // A name that answered with a public address when the submission was accepted, and now
  // points at loopback: the address actually connected to is what is checked.
  const rebinding = ((_host: string, _opts: unknown, cb: (err: null, addresses: dns.LookupAddress[]) => void) =>
    cb(null, [{ address: '127.0.0.1', family: 4 }])) as unknown as typeof dns.lookup;
  const d = start({ allowPrivate: false, lookup: rebinding });
  d.submissionFinished(finished('s-6', `${receiver.url}/literal`));
  d.submissionFinished(finished('s-7', `http://rebound.example:${port}/named`));
  await until('both are counted', () => results.length === 2);
  assert.deepEqual(results, ['refused', 'refused']);
  assert.equal(receiver.requests.length, 0, 'no request reached the loopback server');
});

test('a registered formatter shapes its format; a missing one falls back to the native view with a warning', async () => {
  await listen(() => ({ status: 200 }));
  const judge0 = { format: (s: Submission) => ({ method: 'PUT' as const, body: { token: s.id, status: { id: 3, description: 'Accepted' } } }) };
  start({ formatters: { judge0 } }).submissionFinished(finished('s-8', `${receiver.url}/j0`, 'judge0'));
  const [got] = await receiver.waitFor('/j0', 1);
  assert.equal(got.method, 'PUT');
  assert.deepEqual(JSON.parse(got.body), { token: 's-8', status: { id: 3, description: 'Accepted' } });
  await dispatcher?.stop();

  start().submissionFinished(finished('s-9', `${receiver.url}/fallback`, 'judge0'));
  const [native] = await receiver.waitFor('/fallback', 1);
  assert.equal(native.method, 'POST');
  assert.equal(JSON.parse(native.body).id, 's-9');
  assert.ok(warnings.some((w) => /no callback formatter for "judge0"/.test(w)), warnings.join('\n'));
});

test('stop gives a callback waiting for its retry one last attempt at once', async () => {
  await listen((_req, nth) => ({ status: nth === 0 ? 500 : 200 }));
  const d = new CallbackDispatcher({
    sender: new HttpCallbackSender({ allowPrivate: true, timeoutMs: 2000 }),
    metrics: { ended: (r) => void results.push(r) },
    log,
    maxAttempts: 5,
    baseDelayMs: 60_000,
  });
  d.submissionFinished(finished('s-10', `${receiver.url}/late`));
  await receiver.waitFor('/late', 1);
  // The 500 has been answered by now; the retry waits its minute.
  await sleep(200);
  assert.equal(d.pending, 1);
  const began = Date.now();
  await d.stop();
  assert.ok(Date.now() - began < 5000, 'the minute-long wait was cut short');
  assert.equal(receiver.requests.length, 2);
  assert.deepEqual(results, ['delivered']);
});
