import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request, waitFinished } from '../helpers/http.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { removeServerDirs, startServer, type TestServer } from '../helpers/server.js';
import { sleep, until } from '../helpers/wait.js';

/**
 * Completion callbacks through the whole standalone service: a real server runs the program and
 * calls back a real HTTP receiver on 127.0.0.1. `open` allows private destinations (the receiver
 * is on loopback); `strict` has the default settings, which refuse them.
 */
let open: TestServer;
let strict: TestServer;
let receiver: Receiver;
const ATTEMPTS = 3;

before(async () => {
  receiver = await startReceiver((req, nth) => {
    if (req.path.startsWith('/flaky')) return { status: nth < 2 ? 500 : 200 };
    if (req.path.startsWith('/down')) return { status: 500 };
    if (req.path.startsWith('/moved')) return { status: 307, headers: { location: '/landed' } };
    return { status: 200 };
  });
  open = await startServer({
    slots: 1,
    env: { VERDICT_CALLBACK_ALLOW_PRIVATE: 'true', VERDICT_CALLBACK_ATTEMPTS: String(ATTEMPTS), VERDICT_CALLBACK_BASE_DELAY_MS: '50' },
  });
  strict = await startServer({ slots: 1 });
});

after(async () => {
  for (const server of [open, strict]) {
    if (!server) continue;
    assert.equal(await server.stop(), 0);
    removeServerDirs(server);
  }
  await receiver?.close();
});

async function submit(server: TestServer, body: object): Promise<string> {
  const r = await request('POST', `${server.url}/v1/submissions`, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

async function callbackCount(server: TestServer, result: string): Promise<number> {
  const text = (await request('GET', `${server.url}/metrics`)).body as string;
  const m = new RegExp(`^verdict_callbacks_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text);
  assert.ok(m, `verdict_callbacks_total{result="${result}"} is exported`);
  return Number(m[1]);
}

test('the finished submission is POSTed to callback_url, the same JSON GET returns', async () => {
  const id = await submit(open, { language: 'python', source: 'print(input()[::-1])', stdin: 'stressed', callback_url: `${receiver.url}/hook?run=1` });
  const [got] = await receiver.waitFor('/hook?run=1', 1);
  assert.equal(got.method, 'POST');
  assert.match(String(got.headers['content-type']), /application\/json/);
  const body = JSON.parse(got.body);
  assert.equal(body.id, id);
  assert.equal(body.status, 'finished');
  assert.equal(body.stdout, 'desserts\n');
  assert.deepEqual(body, await waitFinished(open.url, id));
});

test('a receiver that fails twice gets the callback on the third attempt', async () => {
  const before = await callbackCount(open, 'delivered');
  await submit(open, { language: 'bash', source: 'echo hi', callback_url: `${receiver.url}/flaky` });
  const got = await receiver.waitFor('/flaky', 3);
  assert.deepEqual(got.map((r) => JSON.parse(r.body).stdout), ['hi\n', 'hi\n', 'hi\n']);
  await until('the callback counted as delivered', async () => (await callbackCount(open, 'delivered')) === before + 1, 30_000, 50);
});

test(`a receiver that always fails gets ${ATTEMPTS} attempts, then the callback is given up and counted`, async () => {
  const before = await callbackCount(open, 'failed');
  await submit(open, { language: 'bash', source: 'echo x', callback_url: `${receiver.url}/down` });
  await receiver.waitFor('/down', ATTEMPTS);
  await until('the callback counted as failed', async () => (await callbackCount(open, 'failed')) === before + 1, 30_000, 50);
  await sleep(500);
  assert.equal(receiver.requests.filter((r) => r.path === '/down').length, ATTEMPTS, 'no attempt after giving up');
});

test('a redirect is not followed', async () => {
  await submit(open, { language: 'bash', source: 'echo x', callback_url: `${receiver.url}/moved` });
  await receiver.waitFor('/moved', ATTEMPTS);
  await sleep(300);
  assert.equal(receiver.requests.filter((r) => r.path === '/landed').length, 0);
});

test('by default a loopback, private or link-local callback_url is refused with a 400 naming the field, and nothing is stored', async () => {
  const port = new URL(receiver.url).port;
  const queuedBefore = receiver.requests.length;
  for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`, 'http://[::1]/hook', 'http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data/']) {
    const r = await request('POST', `${strict.url}/v1/submissions`, { language: 'bash', source: 'echo never', callback_url: url });
    assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'callback_url_refused');
    assert.equal(r.body.error.field, 'callback_url');
    assert.match(r.body.error.message, /non-public address/);
  }
  const ftp = await request('POST', `${strict.url}/v1/submissions`, { language: 'bash', source: 'echo never', callback_url: 'ftp://example.com/x' });
  assert.equal(ftp.status, 400);
  assert.match(ftp.body.error.message, /callback_url must be an http or https URL/);
  const long = await request('POST', `${strict.url}/v1/submissions`, { language: 'bash', source: 'echo never', callback_url: `https://example.com/${'a'.repeat(3000)}` });
  assert.equal(long.status, 400);
  assert.equal(long.body.error.field, 'callback_url');
  const metrics = (await request('GET', `${strict.url}/metrics`)).body as string;
  assert.match(metrics, /^verdict_submissions_accepted_total 0$/m, 'no refused submission was stored');
  assert.equal(receiver.requests.length, queuedBefore);
});

test('the OpenAPI document describes callback_url', async () => {
  const doc = (await request('GET', `${strict.url}/openapi.json`)).body;
  const body = doc.paths['/v1/submissions'].post.requestBody.content['application/json'].schema;
  assert.equal(body.properties.callback_url.maxLength, 2048);
});

