import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { zipSync } from 'fflate';
import { request, type Reply } from '../../helpers/http.js';
import { removeServerDirs, startServer, type TestServer } from '../../helpers/server.js';

/** The Judge0 CE 1.13.1 API over real HTTP, as its clients use it. */
let server: TestServer;
const TOKEN = 'judge0-token';
const USER = 'judge0-admin';
const AUTH = { 'X-Auth-Token': TOKEN };

before(async () => {
  server = await startServer({
    env: { VERDICT_JUDGE0_AUTH_TOKEN: `other ${TOKEN}`, VERDICT_JUDGE0_AUTH_USER: USER, VERDICT_CALLBACK_ALLOW_PRIVATE: 'true' },
  });
});

after(async () => {
  assert.equal(await server.stop(), 0);
  removeServerDirs(server);
});

const j0 = <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> =>
  request<T>(method, `${server.url}${path}`, body, { ...AUTH, ...headers });
const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');
const unb64 = (text: string): string => Buffer.from(text, 'base64').toString('utf8');

async function createAndWait(body: object, query = ''): Promise<any> {
  const r = await j0('POST', `/submissions?wait=true&fields=*${query}`, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function finished(token: string, query = 'fields=*'): Promise<any> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await j0('GET', `/submissions/${token}?${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (r.body.status.id > 2) return r.body;
    assert.ok(Date.now() < deadline, `submission ${token} not finished in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('submissions', () => {
  test('create answers only the token; GET answers the default fields in Judge0 formats', async () => {
    const created = await j0('POST', '/submissions', { source_code: 'print(input()[::-1])', language_id: 71, stdin: 'hello' });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body), ['token']);
    await finished(created.body.token);
    const r = await j0('GET', `/submissions/${created.body.token}`);
    assert.deepEqual(Object.keys(r.body).sort(), ['compile_output', 'memory', 'message', 'status', 'stderr', 'stdout', 'time', 'token']);
    assert.equal(r.body.stdout, 'olleh\n');
    assert.equal(r.body.stderr, null);
    assert.deepEqual(r.body.status, { id: 3, description: 'Accepted' });
    assert.match(r.body.time, /^\d+\.\d+$/, 'time is a string of seconds');
    assert.ok(Number.isInteger(r.body.memory) && r.body.memory > 0, 'memory is an integer of KB');
  });

  test('fields=* gives every attribute; a list gives those; unknown names are a 400 listing them', async () => {
    const all = await createAndWait({ source_code: 'print(1)', language_id: 113, cpu_time_limit: 2.5, memory_limit: 100000 });
    assert.equal(Object.keys(all).length, 35);
    assert.equal(all.language_id, 113, 'the id the client used is echoed');
    assert.deepEqual(all.language, { id: 113, name: all.language.name });
    assert.match(all.language.name, /^Python \(3\.\d+/);
    assert.equal(all.cpu_time_limit, '2.5');
    assert.equal(all.wall_time_limit, '10.0');
    assert.equal(all.memory_limit, 100000);
    assert.equal(all.exit_code, 0);
    assert.equal(all.exit_signal, null);
    assert.match(all.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(all.finished_at >= all.created_at);
    const some = await j0('GET', `/submissions/${all.token}?fields=status_id,stdout,token`);
    assert.deepEqual(some.body, { stdout: '1\n', status_id: 3, token: all.token });
    const bad = await j0('GET', `/submissions/${all.token}?fields=stdout,colour,size`);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { error: 'invalid fields: [colour, size]' });
  });

  test('base64_encoded=true decodes the request and encodes the answer, message included', async () => {
    const source = 'import sys\ndata = sys.stdin.read()\nprint(data.upper(), end="")\nsys.exit(4)';
    const r = await createAndWait({ source_code: b64(source), stdin: b64('é ok'), language_id: 71 }, '&base64_encoded=true');
    assert.equal(unb64(r.stdout), 'É OK');
    assert.equal(unb64(r.source_code), source);
    assert.equal(unb64(r.stdin), 'é ok');
    assert.equal(r.status.id, 11);
    assert.equal(r.exit_code, 4);
    assert.equal(unb64(r.message), 'Exited with error status 4');
  });

  test('output that is not UTF-8 needs base64: a 400 saying so without it, the exact bytes with it', async () => {
    const source = 'import sys\nsys.stdout.buffer.write(bytes([0xff, 0x00, 0xfe]))';
    const waited = await j0('POST', '/submissions?wait=true', { source_code: source, language_id: 71 });
    assert.equal(waited.status, 201);
    assert.match(waited.body.error, /cannot be converted to UTF-8, use base64_encoded=true/);
    const token = waited.body.token;
    const plain = await j0('GET', `/submissions/${token}`);
    assert.equal(plain.status, 400);
    assert.match(plain.body.error, /use base64_encoded=true/);
    const batch = await j0('GET', `/submissions/batch?tokens=${token}`);
    assert.equal(batch.status, 400);
    assert.match(batch.body.error, /one or more submissions/);
    const encoded = await j0('GET', `/submissions/${token}?base64_encoded=true`);
    assert.deepEqual([...Buffer.from(encoded.body.stdout, 'base64')], [0xff, 0x00, 0xfe]);
    const statusOnly = await j0('GET', `/submissions/${token}?fields=status`);
    assert.equal(statusOnly.status, 200, 'only rendered fields must be UTF-8');
  });

  test('an unknown token is a 404 in Judge0 shape', async () => {
    const r = await j0('GET', '/submissions/00000000-0000-4000-8000-000000000000');
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { status: 404, error: 'Not Found' });
  });
});

describe('statuses', () => {
  test('verdicts map onto Judge0 statuses, exit codes and signals', async () => {
    const cases: Array<[string, object, number]> = [
      ['accepted', { source_code: 'print(2)', language_id: 71, expected_output: '2  \n\n' }, 3],
      ['wrong answer', { source_code: 'print(3)', language_id: 71, expected_output: '2' }, 4],
      ['time limit', { source_code: 'while True: pass', language_id: 71, cpu_time_limit: 0.3 }, 5],
      ['compile error', { source_code: 'int main( {', language_id: 50 }, 6],
      ['SIGSEGV', { source_code: 'int main(void) { volatile int *p = 0; return *p; }', language_id: 50 }, 7],
      ['output over max_file_size', { source_code: 'print("x" * 300000)', language_id: 71, max_file_size: 64 }, 8],
      ['SIGFPE', { source_code: '#include <signal.h>\nint main(void) { raise(SIGFPE); }', language_id: 50 }, 9],
      ['SIGABRT', { source_code: '#include <stdlib.h>\nint main(void) { abort(); }', language_id: 54 }, 10],
      ['NZEC', { source_code: 'exit 3', language_id: 46 }, 11],
      ['memory limit', { source_code: 'int main(void) { static char a[200 << 20]; for (int i = 0; i < sizeof a; i += 4096) a[i] = 1; return a[4096]; }', language_id: 50, memory_limit: 65536 }, 12],
    ];
    const created = await j0('POST', '/submissions/batch', { submissions: cases.map(([, body]) => body) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const results = await Promise.all(created.body.map((c: { token: string }) => finished(c.token)));
    cases.forEach(([what, , status], i) => assert.equal(results[i].status.id, status, `${what}: ${JSON.stringify(results[i])}`));
    const [, , tle, ce, segv, xfsz, , abrt, nzec, mle] = results;
    assert.equal(tle.exit_signal, 9);
    assert.equal(ce.time, null);
    assert.equal(ce.stdout, null);
    assert.match(ce.compile_output, /error/);
    assert.deepEqual([segv.exit_code, segv.exit_signal, segv.message], [0, 11, 'Caught fatal signal 11']);
    assert.equal(xfsz.exit_signal, 25);
    assert.equal(abrt.exit_signal, 6);
    assert.deepEqual([nzec.exit_code, nzec.exit_signal], [3, null]);
    assert.deepEqual([mle.exit_signal, mle.message], [9, 'Memory limit exceeded']);
    const list = await j0('GET', '/statuses');
    assert.equal(list.body.length, 14);
    assert.deepEqual(list.body[13], { id: 14, description: 'Exec Format Error' });
  });
});

describe('batches', () => {
  test('each submission of a batch stands alone; unknown tokens read as null', async () => {
    const created = await j0('POST', '/submissions/batch?base64_encoded=true', {
      submissions: [{ source_code: b64('echo hi'), language_id: 46 }, { language_id: 424242, source_code: b64('x') }, { language_id: 71 }],
    });
    assert.equal(created.status, 201);
    assert.match(created.body[0].token, /^[0-9a-f-]{36}$/);
    assert.deepEqual(created.body[1], { language_id: ["language with id 424242 doesn't exist"] });
    assert.deepEqual(created.body[2], { source_code: ["can't be blank"] });
    const token = created.body[0].token;
    await finished(token);
    const read = await j0('GET', `/submissions/batch?tokens=${token},00000000-0000-4000-8000-000000000000&base64_encoded=true&fields=stdout,status_id`);
    assert.deepEqual(read.body, { submissions: [{ stdout: b64('hi\n'), status_id: 3 }, null] });
  });

  test('a batch holds 1 to 20 submissions; all refused is a 422', async () => {
    const many = await j0('POST', '/submissions/batch', { submissions: Array.from({ length: 21 }, () => ({ source_code: 'print(1)', language_id: 71 })) });
    assert.equal(many.status, 400);
    assert.deepEqual(many.body, { error: 'number of submissions in a batch should be less than or equal to 20' });
    const none = await j0('POST', '/submissions/batch', { submissions: [] });
    assert.deepEqual([none.status, none.body.error], [400, 'there should be at least one submission in a batch']);
    const refused = await j0('POST', '/submissions/batch', { submissions: [{ language_id: 71 }] });
    assert.equal(refused.status, 422);
    const tokens = Array.from({ length: 21 }, (_, i) => `t${i}`).join(',');
    assert.equal((await j0('GET', `/submissions/batch?tokens=${tokens}`)).status, 400);
  });
});

describe('request fields', () => {
  test('limits above the maxima are a 422 naming the field', async () => {
    const r = await j0('POST', '/submissions', {
      source_code: 'print(1)', language_id: 71, memory_limit: 600000, cpu_time_limit: 20, wall_time_limit: 'soon', max_processes_and_or_threads: 0, number_of_runs: 3,
    });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.memory_limit, ['must be less than or equal to 512000']);
    assert.deepEqual(r.body.cpu_time_limit, ['must be less than or equal to 15.0']);
    assert.deepEqual(r.body.wall_time_limit, ['is not a number']);
    assert.deepEqual(r.body.max_processes_and_or_threads, ['must be greater than 0']);
    assert.match(r.body.number_of_runs[0], /less than or equal to 1: this server runs each submission once/);
  });

  test('options this server cannot honour are refused, each on its field', async () => {
    const r = await j0('POST', '/submissions', {
      source_code: 'print(1)', language_id: 71, redirect_stderr_to_stdout: true, enable_network: true, compiler_options: '-O2',
    });
    assert.equal(r.status, 422);
    assert.match(r.body.redirect_stderr_to_stdout[0], /cannot be enabled/);
    assert.deepEqual(r.body.enable_network, ['enabling network is not allowed']);
    assert.deepEqual(r.body.compiler_options, ['setting compiler options is only allowed for compiled languages']);
    const cb = await j0('POST', '/submissions', { source_code: 'print(1)', language_id: 71, callback_url: 'ftp://example.com/x' });
    assert.equal(cb.status, 422);
    assert.match(cb.body.callback_url[0], /http or https/);
    const off = await j0('POST', '/submissions', { source_code: 'print(1)', language_id: 71, redirect_stderr_to_stdout: false, enable_network: false });
    assert.equal(off.status, 201, 'false is what Judge0 does by default, so it is accepted');
  });

  test('compiler options and arguments are split as Judge0 splits them, never run by a shell', async () => {
    const c = await createAndWait({
      source_code: '#include <stdio.h>\nint main(int argc, char **argv) { printf("%d", X); for (int i = 1; i < argc; i++) printf("|%s", argv[i]); puts(""); }',
      language_id: 50,
      compiler_options: '-DX=7 -O0',
      command_line_arguments: `a "b c" 'd e' f;rm g>h`,
    });
    assert.equal(c.stdout, '7|a|b c|d e|frm|gh\n', JSON.stringify(c));
    assert.equal(c.compiler_options, '-DX=7 -O0');
  });

  test('additional_files is a base64 zip whose files sit beside the source', async () => {
    const zip = zipSync({ 'helper.py': Buffer.from('ANSWER = 42\n'), 'data.txt': Buffer.from('from a file\n') });
    const r = await createAndWait({
      source_code: 'import helper\nprint(helper.ANSWER, open("data.txt").read().strip())',
      language_id: 71,
      additional_files: b64(Buffer.from(zip)),
    });
    assert.equal(r.stdout, '42 from a file\n', JSON.stringify(r));
    assert.equal(r.additional_files, b64(Buffer.from(zip)));
    const nested = await j0('POST', '/submissions', { source_code: 'print(1)', language_id: 71, additional_files: b64(Buffer.from(zipSync({ 'lib/x.py': Buffer.from('') }))) });
    assert.equal(nested.status, 422);
    assert.match(nested.body.additional_files[0], /lib\/x\.py.*directory/);
    const garbage = await j0('POST', '/submissions', { source_code: 'print(1)', language_id: 71, additional_files: b64('not a zip') });
    assert.match(garbage.body.additional_files[0], /not a readable zip/);
  });

  test('callback_url gets a PUT of the default fields, base64-encoded', async () => {
    let resolveCall: (call: { method: string; body: any }) => void = () => undefined;
    const called = new Promise<{ method: string; body: any }>((resolve) => (resolveCall = resolve));
    const receiver = http.createServer((req, res) => {
      let data = '';
      req.on('data', (d: Buffer) => (data += d.toString()));
      req.on('end', () => {
        res.end('ok');
        resolveCall({ method: req.method ?? '', body: JSON.parse(data) });
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/done`;
      const created = await j0('POST', '/submissions', { source_code: 'print("called back")', language_id: 71, callback_url: url });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const call = await called;
      assert.equal(call.method, 'PUT');
      assert.deepEqual(Object.keys(call.body).sort(), ['compile_output', 'memory', 'message', 'status', 'stderr', 'stdout', 'time', 'token']);
      assert.equal(call.body.token, created.body.token);
      assert.equal(unb64(call.body.stdout), 'called back\n');
      assert.deepEqual(call.body.status, { id: 3, description: 'Accepted' });
      const echoed = await j0('GET', `/submissions/${created.body.token}?fields=callback_url`);
      assert.equal(echoed.body.callback_url, url);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

describe('information routes', () => {
  test('languages are the ones available, under Judge0 ids, named with their probed versions', async () => {
    const list = await j0<Array<{ id: number; name: string }>>('GET', '/languages');
    const ids = list.body.map((l) => l.id);
    for (const id of [46, 50, 52, 54, 60, 62, 63, 71, 73, 74, 101, 102, 103, 105, 107, 108, 113, 91]) assert.ok(ids.includes(id), `language ${id} listed`);
    assert.match(list.body.find((l) => l.id === 50)!.name, /^C \(GCC \d+\.\d+/);
    assert.deepEqual(list.body.map((l) => l.name), [...list.body.map((l) => l.name)].sort(), 'sorted by name, as Judge0 does');
    const one = await j0('GET', '/languages/54');
    assert.deepEqual(Object.keys(one.body), ['id', 'name', 'is_archived', 'source_file', 'compile_cmd', 'run_cmd']);
    assert.match(one.body.compile_cmd, /g\+\+ .*%s/);
    assert.equal((await j0('GET', '/languages/71')).body.compile_cmd, null);
    assert.deepEqual((await j0('GET', '/languages/4242')).body, { status: 404, error: 'Not Found' });
    const all = await j0('GET', '/languages/all');
    assert.ok(all.body.every((l: { is_archived: boolean }) => l.is_archived === false));
  });

  test('/about, /version and /config_info answer as Judge0 1.13.1 with every field its SDK requires', async () => {
    assert.equal((await j0('GET', '/about')).body.version, '1.13.1');
    const version = await j0('GET', '/version');
    assert.equal(version.body, '1.13.1');
    const config = (await j0('GET', '/config_info')).body;
    const required = [
      'allow_enable_network', 'allow_enable_per_process_and_thread_memory_limit', 'allow_enable_per_process_and_thread_time_limit',
      'allowed_languages_for_compile_options', 'callbacks_max_tries', 'callbacks_timeout', 'cpu_extra_time', 'cpu_time_limit',
      'enable_additional_files', 'enable_batched_submissions', 'enable_callbacks', 'enable_command_line_arguments', 'enable_compiler_options',
      'enable_network', 'enable_per_process_and_thread_memory_limit', 'enable_per_process_and_thread_time_limit', 'enable_submission_delete',
      'enable_wait_result', 'maintenance_mode', 'max_cpu_extra_time', 'max_cpu_time_limit', 'max_extract_size', 'max_file_size',
      'max_max_file_size', 'max_max_processes_and_or_threads', 'max_memory_limit', 'max_number_of_runs', 'max_processes_and_or_threads',
      'max_queue_size', 'max_stack_limit', 'max_submission_batch_size', 'max_wall_time_limit', 'memory_limit', 'number_of_runs',
      'redirect_stderr_to_stdout', 'stack_limit', 'submission_cache_duration', 'use_docs_as_homepage', 'wall_time_limit',
    ];
    for (const field of required) assert.ok(field in config, `config_info.${field}`);
    assert.equal(config.max_submission_batch_size, 20);
    assert.equal(config.max_memory_limit, 512000);
    const workers = (await j0('GET', '/workers')).body;
    assert.deepEqual(Object.keys(workers[0]), ['queue', 'size', 'available', 'idle', 'working', 'paused', 'failed']);
    const system = (await j0('GET', '/system_info')).body;
    assert.ok(system['CPU(s)'] && system.Mem);
    assert.ok((await j0('GET', '/statistics')).body.submissions.total >= 1);
  });

  test('Judge0 routes allow any origin, preflights included', async () => {
    const pre = await request('OPTIONS', `${server.url}/submissions`, undefined, { origin: 'https://ide.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-auth-token' });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type,x-auth-token');
    assert.equal((await j0('GET', '/statuses')).headers.get('access-control-allow-origin'), '*');
  });
});

describe('authentication and authorization', () => {
  test('X-Auth-Token: missing or wrong is a 401 with no body, on every Judge0 route; any configured token works', async () => {
    for (const path of ['/languages', '/submissions/x', '/config_info']) {
      const r = await request('GET', `${server.url}${path}`);
      assert.deepEqual([r.status, r.body], [401, ''], path);
    }
    assert.equal((await request('GET', `${server.url}/statuses`, undefined, { 'X-Auth-Token': 'nope' })).status, 401);
    assert.equal((await request('GET', `${server.url}/statuses`, undefined, { 'X-Auth-Token': 'other' })).status, 200);
    assert.equal((await request('GET', `${server.url}/statuses?X-Auth-Token=${TOKEN}`)).status, 200, 'as a parameter, as Judge0 takes it');
    assert.equal((await request('POST', `${server.url}/authenticate`, undefined, AUTH)).status, 200);
    assert.equal((await request('GET', `${server.url}/v1/languages`)).status, 200, 'the native API is not behind the Judge0 token');
  });

  test('X-Auth-User guards listing and deleting: 403 without it; deletion is then refused as Judge0 refuses it when disabled', async () => {
    assert.equal((await j0('GET', '/submissions')).status, 403);
    assert.equal((await j0('GET', '/submissions', undefined, { 'X-Auth-User': 'nobody' })).status, 403);
    assert.equal((await j0('DELETE', '/submissions/x')).status, 403);
    assert.equal((await j0('POST', '/authorize', undefined, { 'X-Auth-User': USER })).status, 200);
    const del = await j0('DELETE', '/submissions/x', undefined, { 'X-Auth-User': USER });
    assert.deepEqual([del.status, del.body], [400, { error: 'delete not allowed' }]);
    const page = await j0('GET', '/submissions?page=0', undefined, { 'X-Auth-User': USER });
    assert.deepEqual([page.status, page.body], [400, { error: 'invalid page: 0' }]);
    const list = await j0('GET', '/submissions', undefined, { 'X-Auth-User': USER });
    assert.equal(list.status, 501);
    assert.match(list.body.error, /GET \/submissions\/batch/);
  });
});
