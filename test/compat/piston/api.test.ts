import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from '../../helpers/http.js';
import { processesOfUids, runCgroupsLeft } from '../../helpers/leaks.js';
import { removeServerDirs, startServer, type TestServer } from '../../helpers/server.js';
import { PROGRAMS } from '../../e2e/programs.js';

/**
 * Piston's v2 HTTP API against the real server and sandbox: what a Piston client sends, and the
 * exact shape, statuses and messages it gets back. The output limit is lowered so OL and EL are
 * cheap to reach.
 */
let server: TestServer;
let base: string;
const OUTPUT_KB = 64;

before(async () => {
  server = await startServer({ slots: 2, env: { VERDICT_OUTPUT_KB_DEFAULT: String(OUTPUT_KB) } });
  base = `${server.url}/api/v2`;
});

after(async () => {
  assert.equal(await server.stop(), 0, 'server exits cleanly on SIGTERM');
  assert.deepEqual(processesOfUids(server.uidBase, 2), [], 'no sandboxed process is left');
  assert.deepEqual(runCgroupsLeft('verdict-test'), [], 'no run cgroup is left');
  removeServerDirs(server);
});

async function execute(body: Record<string, unknown>): Promise<any> {
  const r = await request('POST', `${base}/execute`, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function refused(body: unknown, message: string, status = 400): Promise<void> {
  const r = await request('POST', `${base}/execute`, body);
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.deepEqual(r.body, { message });
}

const STAGE_KEYS = ['code', 'cpu_time', 'memory', 'message', 'output', 'signal', 'status', 'stderr', 'stdout', 'wall_time'];

/** Piston's name for each of our languages. */
const PISTON_NAME: Record<string, string> = { cpp: 'c++' };

describe('GET /api/v2/runtimes', () => {
  test('every language under its Piston name, with its aliases and a semver version', async () => {
    const r = await request('GET', `${base}/runtimes`);
    assert.equal(r.status, 200);
    const byName = new Map<string, any>(r.body.map((rt: any) => [rt.language, rt]));
    for (const id of Object.keys(PROGRAMS)) assert.ok(byName.has(PISTON_NAME[id] ?? id), `${id} is listed: ${JSON.stringify(r.body)}`);
    for (const rt of r.body) assert.match(rt.version, /^\d+\.\d+\.\d+$/, JSON.stringify(rt));
    assert.deepEqual(byName.get('python').aliases, ['py', 'py3', 'python3']);
    assert.equal(byName.get('python').runtime, undefined, 'no runtime field where Piston gives none');
    assert.deepEqual(byName.get('c++'), { language: 'c++', version: byName.get('c').version, aliases: ['cpp', 'g++'], runtime: 'gcc' });
    assert.deepEqual(byName.get('javascript').aliases, ['node-javascript', 'node-js', 'javascript', 'js']);
    assert.equal(byName.get('javascript').runtime, 'node');
    assert.ok(byName.get('go').aliases.includes('golang'));
    assert.ok(byName.get('rust').aliases.includes('rs'));
    assert.ok(byName.get('bash').aliases.includes('sh'));
  });
});

describe('POST /api/v2/execute', () => {
  test('every language runs by its Piston name with version "*"', async () => {
    const runtimes = (await request('GET', `${base}/runtimes`)).body as any[];
    await Promise.all(
      Object.entries(PROGRAMS).map(async ([id, p]) => {
        const language = PISTON_NAME[id] ?? id;
        const r = await execute({ language, version: '*', files: [{ content: p.hello }], stdin: 'world' });
        assert.equal(r.language, language);
        assert.equal(r.version, runtimes.find((rt) => rt.language === language).version);
        assert.deepEqual(Object.keys(r.run).sort(), STAGE_KEYS);
        assert.equal(r.run.stdout, 'hello world\n', `${id}: ${JSON.stringify(r)}`);
        assert.equal(r.run.output, 'hello world\n');
        assert.equal(r.run.code, 0);
        assert.equal(r.run.signal, null);
        assert.equal(r.run.status, null);
        assert.ok(r.run.memory > 0 && r.run.wall_time >= 0 && r.run.cpu_time >= 0, JSON.stringify(r.run));
        const compiled = ['typescript', 'c', 'cpp', 'java', 'go', 'rust'].includes(id);
        assert.equal('compile' in r, compiled, `${id}: a compile stage exactly for compiled languages`);
        if (compiled) assert.equal(r.compile.code, 0);
      }),
    );
  });

  test('aliases, semver ranges, args, and Piston\'s newline at the end of stdin', async () => {
    const r = await execute({
      language: 'py',
      version: '3.x',
      files: [{ name: 'prog.py', content: 'import sys\nprint(sys.argv[1:])\nprint(repr(sys.stdin.read()))\n' }],
      args: ['a b', '--c'],
      stdin: 'line',
    });
    assert.equal(r.language, 'python');
    assert.equal(r.run.stdout, "['a b', '--c']\n'line\\n'\n");
    const exact = await execute({ language: 'python3', version: r.version, files: [{ content: 'print(1)' }] });
    assert.equal(exact.run.stdout, '1\n');
  });

  test('the first utf8 file is the main file; base64 and hex files are data beside it', async () => {
    const r = await execute({
      language: 'python',
      version: '*',
      files: [
        { name: 'data.bin', content: Buffer.from('from base64').toString('base64'), encoding: 'base64' },
        { content: 'print(open("data.bin").read(), open("more.txt").read(), open("file3.code").read())' },
        { name: 'more.txt', content: Buffer.from('from hex').toString('hex'), encoding: 'hex' },
        { content: 'unnamed' },
      ],
    });
    assert.equal(r.run.stdout, 'from base64 from hex unnamed\n', JSON.stringify(r));
  });

  test('a compile error: the compile stage says so, and is repeated as run', async () => {
    const r = await execute({ language: 'c++', version: '*', files: [{ name: 'main.cpp', content: PROGRAMS.cpp.compileError! }] });
    assert.equal(r.compile.code, 1);
    assert.equal(r.compile.status, 'RE');
    assert.match(r.compile.stderr, /no_such_method/);
    assert.equal(r.compile.output, r.compile.stderr);
    assert.equal(r.compile.stdout, '');
    assert.deepEqual(r.run, r.compile);
  });

  test('a main file named without the extension still compiles (as Piston renames it)', async () => {
    const r = await execute({ language: 'c', version: '*', files: [{ name: 'prog', content: '#include <stdio.h>\nint main(void){ puts("ok"); return 0; }' }] });
    assert.equal(r.run.stdout, 'ok\n', JSON.stringify(r));
  });

  test('a non-zero exit is RE, a signal is SG', async () => {
    const exit = await execute({ language: 'bash', version: '*', files: [{ content: 'echo out; echo err >&2; exit 3' }] });
    assert.deepEqual(
      { code: exit.run.code, signal: exit.run.signal, status: exit.run.status, message: exit.run.message, output: exit.run.output },
      { code: 3, signal: null, status: 'RE', message: 'Exited with error status 3', output: 'out\nerr\n' },
    );
    const segv = await execute({ language: 'c', version: '*', files: [{ content: PROGRAMS.c.runtimeError }] });
    assert.deepEqual(
      { code: segv.run.code, signal: segv.run.signal, status: segv.run.status, message: segv.run.message },
      { code: null, signal: 'SIGSEGV', status: 'SG', message: 'Caught fatal signal 11' },
    );
  });

  test('run_timeout and run_cpu_time stop the run: TO, killed', async () => {
    const [wall, cpu] = await Promise.all([
      execute({ language: 'python', version: '*', files: [{ content: PROGRAMS.python.sleep }], run_timeout: 500 }),
      execute({ language: 'c', version: '*', files: [{ content: PROGRAMS.c.spinCpu }], run_cpu_time: 500 }),
    ]);
    assert.deepEqual([wall.run.status, wall.run.signal, wall.run.message], ['TO', 'SIGKILL', 'Time limit exceeded (wall clock)']);
    assert.ok(wall.run.wall_time < 3000, JSON.stringify(wall.run));
    assert.deepEqual([cpu.run.status, cpu.run.signal, cpu.run.message], ['TO', 'SIGKILL', 'Time limit exceeded']);
    assert.ok(cpu.run.cpu_time < 3000, JSON.stringify(cpu.run));
  });

  test('run_memory_limit (bytes) is the memory limit; -1 is accepted', async () => {
    const r = await execute({ language: 'c', version: '*', files: [{ content: PROGRAMS.c.allocate }], run_memory_limit: 64 * 1024 * 1024 });
    assert.deepEqual([r.run.status, r.run.signal, r.run.message], ['SG', 'SIGKILL', 'Memory limit exceeded'], JSON.stringify(r.run));
    assert.ok(r.run.memory <= 64 * 1024 * 1024, JSON.stringify(r.run));
    const unlimited = await execute({ language: 'python', version: '*', files: [{ content: 'print(2)' }], run_memory_limit: -1, compile_memory_limit: -1 });
    assert.equal(unlimited.run.stdout, '2\n');
  });

  test('too much stdout is OL, too much stderr is EL', async () => {
    const [out, err] = await Promise.all([
      execute({ language: 'python', version: '*', files: [{ content: PROGRAMS.python.flood }] }),
      execute({ language: 'python', version: '*', files: [{ content: 'import sys\nwhile True:\n    sys.stderr.write("e" * 100 + "\\n")\n' }] }),
    ]);
    assert.deepEqual([out.run.status, out.run.signal, out.run.message], ['OL', 'SIGKILL', 'stdout length exceeded']);
    assert.ok(out.run.stdout.length <= OUTPUT_KB * 1024 && out.run.stdout.length > 0);
    assert.deepEqual([err.run.status, err.run.signal, err.run.message], ['EL', 'SIGKILL', 'stderr length exceeded']);
  });
});

describe('refusals, in Piston\'s words', () => {
  const py = { language: 'python', version: '*', files: [{ content: 'print(1)' }] };

  test('malformed requests', async () => {
    await refused({}, 'language is required as a string');
    await refused({ ...py, language: 7 }, 'language is required as a string');
    await refused({ ...py, version: undefined }, 'version is required as a string');
    await refused({ ...py, files: 'print(1)' }, 'files is required as an array');
    await refused({ ...py, files: [{ content: 'x' }, { name: 'a.py' }] }, 'files[1].content is required as a string');
    await refused({ ...py, files: [{ content: 'eA==', encoding: 'base64' }] }, 'files must include at least one utf8 encoded file');
    await refused({ ...py, run_timeout: '100' }, 'If specified, run_timeout must be a number');
    await refused({ ...py, run_cpu_time: -5 }, 'run_cpu_time must be non-negative');
  });

  test('an unknown language, version or range', async () => {
    await refused({ ...py, language: 'cobol' }, 'cobol-* runtime is unknown');
    await refused({ ...py, language: 'Python' }, 'Python-* runtime is unknown');
    await refused({ ...py, version: '9' }, 'python-9 runtime is unknown');
    await refused({ ...py, version: 'latest' }, 'python-latest runtime is unknown');
  });

  test('limits above this server\'s maxima, with the maximum in Piston\'s unit', async () => {
    await refused({ ...py, run_timeout: 20001 }, 'run_timeout cannot exceed the configured limit of 20000');
    await refused({ ...py, run_cpu_time: 15001 }, 'run_cpu_time cannot exceed the configured limit of 15000');
    await refused({ ...py, run_memory_limit: 1048576 * 1024 + 1 }, 'run_memory_limit cannot exceed the configured limit of 1073741824');
    await refused({ ...py, compile_timeout: 60001 }, 'compile_timeout cannot exceed the configured limit of 60000');
    await refused({ ...py, compile_memory_limit: 2097152 * 1024 + 1 }, 'compile_memory_limit cannot exceed the configured limit of 2147483648');
  });

  test('what Verdict refuses beyond Piston keeps the {message} shape', async () => {
    const r = await request('POST', `${base}/execute`, { ...py, files: [{ name: '../escape.py', content: 'print(1)' }, { name: 'sub/dir.py', content: 'x' }] });
    assert.equal(r.status, 400);
    assert.deepEqual(Object.keys(r.body), ['message']);
    assert.match(r.body.message, /is not allowed/);
  });

  test('a body that is not JSON', async () => {
    const form = await request('POST', `${base}/execute`, 'language=python', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.deepEqual(form.body, { message: 'requests must be of type application/json' });
    const r = await request('POST', `${base}/execute`, '{"language":', { 'content-type': 'application/json' });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /not valid JSON/);
  });
});
