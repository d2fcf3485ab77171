import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from '../helpers/http.js';
import { removeServerDirs, startServer, type TestServer } from '../helpers/server.js';

/** Bad input over real HTTP: always a 4xx naming the field and what to fix, never a 500. */
let server: TestServer;
let base: string;

before(async () => {
  server = await startServer({ slots: 1, env: { VERDICT_MAX_SOURCE_KB: '4', VERDICT_MAX_REQUEST_KB: '64' } });
  base = server.url;
});

after(async () => {
  assert.equal(await server.stop(), 0);
  removeServerDirs(server);
});

function assertError(r: { status: number; body: any }, status: number, code: string, mention: RegExp): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  assert.match(r.body.error.message, mention);
  assert.doesNotMatch(JSON.stringify(r.body), /at \S+ \(|\.js:\d+/, 'no stack trace');
}

test('malformed JSON is a 400 saying so', async () => {
  assertError(await request('POST', `${base}/v1/submissions`, '{"language": "python", '), 400, 'invalid_json', /not valid JSON/);
});

test('a body that is not a JSON object says what to send', async () => {
  const r = await request('POST', `${base}/v1/submissions`, 'print(1)', { 'content-type': 'text/plain' });
  assertError(r, 400, 'invalid_request', /JSON object.*application\/json/);
  const xml = await request('POST', `${base}/v1/submissions`, '<a/>', { 'content-type': 'application/xml' });
  assertError(xml, 415, 'unsupported_media_type', /application\/json/);
});

test('unknown fields are named', async () => {
  const r = await request('POST', `${base}/v1/submissions`, { language: 'python', source: 'print(1)', colour: 'blue' });
  assertError(r, 400, 'invalid_request', /unknown field "colour"/);
  const nested = await request('POST', `${base}/v1/submissions`, { language: 'python', source: 'print(1)', limits: { cpu_ms: 5 } });
  assertError(nested, 400, 'invalid_request', /limits\.cpu_ms/);
});

test('a missing language is named', async () => {
  assertError(await request('POST', `${base}/v1/submissions`, { source: 'print(1)' }), 400, 'invalid_request', /language/);
});

test('an unknown language lists the available ones', async () => {
  const r = await request('POST', `${base}/v1/submissions`, { language: 'cobol', source: 'x' });
  assertError(r, 400, 'language_not_found', /"cobol".*python/);
});

test('missing, empty or doubled source is refused', async () => {
  assertError(await request('POST', `${base}/v1/submissions`, { language: 'python' }), 400, 'invalid_request', /source/);
  assertError(await request('POST', `${base}/v1/submissions`, { language: 'python', source: '   ' }), 400, 'invalid_request', /empty/);
  const both = await request('POST', `${base}/v1/submissions`, { language: 'python', source: 'print(1)', files: [{ content: 'print(2)' }] });
  assertError(both, 400, 'invalid_request', /either "source"/);
});

test('limits at or below zero, or above the maxima, name the limit and the maximum', async () => {
  const zero = await request('POST', `${base}/v1/submissions`, { language: 'python', source: 'print(1)', limits: { cpu_time_ms: 0 } });
  assertError(zero, 400, 'invalid_request', /limits\.cpu_time_ms must be >= 1/);
  const high = await request('POST', `${base}/v1/submissions`, { language: 'python', source: 'print(1)', limits: { memory_kb: 99_999_999 } });
  assertError(high, 400, 'invalid_request', /limits\.memory_kb must be <= 1048576/);
});

test('source over the configured maximum is a 413 naming the setting', async () => {
  const r = await request('POST', `${base}/v1/submissions`, { language: 'python', source: `# ${'x'.repeat(6000)}\nprint(1)` });
  assertError(r, 413, 'payload_too_large', /source is .* maximum of 4 KiB.*VERDICT_MAX_SOURCE_KB/);
});

test('a body over the request limit is a 413', async () => {
  const r = await request('POST', `${base}/v1/submissions`, { language: 'python', source: 'print(1)', stdin: 'y'.repeat(100 * 1024) });
  assertError(r, 413, 'payload_too_large', /VERDICT_MAX_REQUEST_KB/);
});

test('file names with a slash, "..", or NUL are refused', async () => {
  for (const name of ['../evil.py', 'dir/main.py', '..', 'a\u0000b.py', '.hidden']) {
    const r = await request('POST', `${base}/v1/submissions`, { language: 'python', files: [{ name, content: 'print(1)' }] });
    assertError(r, 400, 'invalid_request', /files\[0\]\.name/);
  }
});

test('an unknown submission id is a 404', async () => {
  assertError(await request('GET', `${base}/v1/submissions/00000000-0000-0000-0000-000000000000`), 404, 'submission_not_found', /no submission/);
});

test('an unknown route is a 404 pointing at the docs', async () => {
  assertError(await request('GET', `${base}/v2/nothing`), 404, 'route_not_found', /\/docs/);
});

test('the refused requests stored nothing, and the service still runs programs', async () => {
  const r = await request('POST', `${base}/v1/submissions?wait=true`, { language: 'python', source: 'print(6 * 7)' });
  assert.equal(r.status, 201);
  assert.equal(r.body.verdict, 'accepted');
  assert.equal(r.body.stdout, '42\n');
  const metrics = await request('GET', `${base}/metrics`);
  assert.match(metrics.body, /verdict_submissions_accepted_total 1\b/);
});

test('non-UTF-8 output comes back base64 with the encoding flag', async () => {
  const r = await request('POST', `${base}/v1/submissions?wait=true`, { language: 'python', source: 'import sys\nsys.stdout.buffer.write(bytes([0xff, 0xfe, 0x41]))' });
  assert.equal(r.body.encoding, 'base64');
  assert.deepEqual([...Buffer.from(r.body.stdout, 'base64')], [0xff, 0xfe, 0x41]);
});

test('languages, OpenAPI document, docs, health and metrics are served', async () => {
  const langs = await request('GET', `${base}/v1/languages`);
  assert.equal(langs.status, 200);
  const ids = langs.body.map((l: { id: string }) => l.id);
  for (const id of ['python', 'javascript', 'typescript', 'c', 'cpp', 'java', 'go', 'rust', 'bash']) assert.ok(ids.includes(id), `${id} listed`);
  for (const l of langs.body) assert.match(l.version, /^\d+\.\d+/, `${l.id} has a probed version`);
  const spec = await request('GET', `${base}/openapi.json`);
  assert.equal(spec.body.openapi, '3.0.3');
  assert.ok(spec.body.paths['/v1/submissions'].post);
  // The native API is documented whole: every route, and every field a client may send.
  for (const [route, method] of [['/v1/submissions/{id}', 'get'], ['/v1/submissions/{id}/events', 'get'], ['/v1/languages', 'get']] as const) {
    assert.ok(spec.body.paths[route]?.[method], `${method.toUpperCase()} ${route} is in the OpenAPI document`);
  }
  const create = spec.body.paths['/v1/submissions'].post.requestBody.content['application/json'].schema.properties;
  for (const field of ['language', 'source', 'files', 'stdin', 'args', 'compile_options', 'expected_output', 'limits', 'tests', 'stop_on_first_failure', 'comparison', 'checker', 'callback_url']) {
    assert.ok(create[field], `${field} is documented`);
  }
  const docs = await request('GET', `${base}/docs/`);
  assert.equal(docs.status, 200);
  assert.match(String(docs.body), /swagger/i);
  assert.equal((await request('GET', `${base}/healthz`)).status, 200);
  assert.equal((await request('GET', `${base}/readyz`)).body.status, 'ready');
  assert.match((await request('GET', `${base}/metrics`)).body, /verdict_queue_depth/);
});
