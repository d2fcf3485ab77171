import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from '../helpers/http.js';
import { removeServerDirs, startServer, type TestServer } from '../helpers/server.js';

/** Judging beyond one run, over HTTP against a real service: test cases, comparisons, checkers. */
let server: TestServer;

before(async () => {
  server = await startServer({ slots: 2 });
});

after(async () => {
  await server.stop();
  removeServerDirs(server);
});

async function run(body: object): Promise<any> {
  const r = await request('POST', `${server.url}/v1/submissions?wait=true`, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.status, 'finished', JSON.stringify(r.body));
  return r.body;
}

async function refused(body: object): Promise<{ code: string; message: string; field?: string }> {
  const r = await request('POST', `${server.url}/v1/submissions`, body);
  assert.equal(r.status, 400, JSON.stringify(r.body));
  return r.body.error;
}

const DOUBLE_C = '#include <stdio.h>\nint main(void){long x; if (scanf("%ld", &x) != 1) return 3; printf("%ld\\n", 2 * x); return 0;}\n';

describe('test cases', () => {
  test('compiled once, each test judged: the first failure decides, metrics are the largest', async () => {
    const r = await run({
      language: 'c',
      source: DOUBLE_C,
      tests: [
        { stdin: '1\n', expected_output: '2\n' },
        { stdin: '5\n', expected_output: '11\n' },
        { stdin: 'x\n', expected_output: '0\n' },
      ],
    });
    assert.deepEqual(r.tests.map((t: any) => t.verdict), ['accepted', 'wrong_answer', 'runtime_error']);
    assert.deepEqual(r.tests.map((t: any) => t.stdout), ['2\n', '10\n', '']);
    assert.equal(r.tests[2].verdict_detail, 'exit code 3');
    assert.equal(r.verdict, 'wrong_answer');
    assert.equal(r.stdout, '10\n', 'the deciding test\'s output');
    assert.equal(r.memory_kb, Math.max(...r.tests.map((t: any) => t.memory_kb)));
  });

  test('all accepted is accepted', async () => {
    const r = await run({ language: 'c', source: DOUBLE_C, tests: [{ stdin: '2', expected_output: '4' }, { stdin: '-3', expected_output: '-6' }] });
    assert.equal(r.verdict, 'accepted');
    assert.equal(r.tests.length, 2);
  });

  test('stop_on_first_failure skips the rest', async () => {
    const r = await run({ language: 'python', source: 'print(input())\n', stop_on_first_failure: true, tests: [{ stdin: 'a', expected_output: 'b' }, { stdin: 'c', expected_output: 'c' }] });
    assert.equal(r.verdict, 'wrong_answer');
    assert.deepEqual(r.tests.map((t: any) => t.verdict), ['wrong_answer']);
  });

  test('every test starts from the compiled box: nothing a test writes reaches the next', async () => {
    const source = 'import os\nseen = os.path.exists("note")\nopen("note", "w").write("x")\nopen("main.py", "a").write("\\nprint(\\"tampered\\")\\n")\nprint("seen" if seen else "fresh")\n';
    const r = await run({ language: 'python', source, tests: [{ expected_output: 'fresh' }, { expected_output: 'fresh' }, { expected_output: 'fresh' }] });
    assert.deepEqual(r.tests.map((t: any) => t.stdout), ['fresh\n', 'fresh\n', 'fresh\n']);
    assert.equal(r.verdict, 'accepted');
  });

  test('a test\'s own limits lower the submission\'s for that test only', async () => {
    const r = await run({
      language: 'python',
      source: 'import sys\nn = int(sys.stdin.read())\nx = 0\nfor i in range(n): x += i\nprint("done")\n',
      tests: [{ stdin: '10', expected_output: 'done' }, { stdin: '100000000', expected_output: 'done', limits: { cpu_time_ms: 300 } }],
    });
    assert.deepEqual(r.tests.map((t: any) => t.verdict), ['accepted', 'time_limit_exceeded']);
    assert.equal(r.tests[1].verdict_detail, 'cpu');
  });
});

describe('comparison modes', () => {
  test('exact, tokens and numbers decide as asked', async () => {
    const src = 'print("1.0000001   2")\n';
    const ask = (comparison: object, expected: string) => run({ language: 'python', source: src, expected_output: expected, comparison });
    assert.equal((await ask({ mode: 'exact' }, '1.0000001   2\n')).verdict, 'accepted');
    assert.equal((await ask({ mode: 'exact' }, '1.0000001   2')).verdict, 'wrong_answer');
    assert.equal((await ask({ mode: 'tokens' }, '1.0000001 2')).verdict, 'accepted');
    assert.equal((await ask({ mode: 'tokens' }, '1 2')).verdict, 'wrong_answer');
    assert.equal((await ask({ mode: 'numbers' }, '1 2')).verdict, 'accepted');
    assert.equal((await ask({ mode: 'numbers', absolute: 0, relative: 0 }, '1 2')).verdict, 'wrong_answer');
  });
});

describe('custom checker', () => {
  const SORTED_CHECKER = 'import sys\ninp, out, ans = sys.argv[1:4]\na = sorted(open(inp).read().split())\nb = sorted(open(out).read().split())\nprint("ok" if a == b else "not a permutation")\nsys.exit(0 if a == b else 1)\n';

  test('accepts any right answer and says why it refuses a wrong one', async () => {
    const r = await run({
      language: 'python',
      source: 'xs = input().split()\nprint(" ".join(reversed(xs)) if xs[0] != "9" else "nope")\n',
      tests: [{ stdin: '1 2 3' }, { stdin: '9 8' }],
      checker: { language: 'python', source: SORTED_CHECKER },
    });
    assert.deepEqual(r.tests.map((t: any) => t.verdict), ['accepted', 'wrong_answer']);
    assert.deepEqual(r.tests.map((t: any) => t.checker_output), ['ok\n', 'not a permutation\n']);
    assert.equal(r.tests[1].verdict_detail, 'checker');
  });

  test('a compiled checker gets input, output and answer files', async () => {
    const checker = '#include <stdio.h>\nint main(int c, char **v){FILE *o = fopen(v[2], "r"), *a = fopen(v[3], "r"); long x, y; if (fscanf(o, "%ld", &x) != 1 || fscanf(a, "%ld", &y) != 1) return 2; return x == y ? 0 : 1;}\n';
    const r = await run({ language: 'c', source: DOUBLE_C, tests: [{ stdin: '4', expected_output: '8' }, { stdin: '4', expected_output: '9' }], checker: { language: 'c', source: checker } });
    assert.deepEqual(r.tests.map((t: any) => t.verdict), ['accepted', 'wrong_answer']);
  });

  test('a checker that crashes is an internal error, never the program\'s fault', async () => {
    const r = await run({ language: 'python', source: 'print(1)\n', checker: { language: 'python', source: 'raise SystemExit(7)\n' } });
    assert.equal(r.verdict, 'internal_error');
    assert.match(r.message, /checker exited with 7/);
  });

  test('a checker that does not compile is an internal error with its diagnostics', async () => {
    const r = await run({ language: 'python', source: 'print(1)\n', checker: { language: 'c', source: 'int main( {' } });
    assert.equal(r.verdict, 'internal_error');
    assert.match(r.message, /checker did not compile/);
  });

  test('the program cannot reach the checker\'s files', async () => {
    const source = 'import os\nfound = [p for p in ["/.verdict/boxes", "/box/../box-1", "/tmp"] if os.path.exists(p) and os.listdir(p)]\nprint(found)\n';
    const r = await run({ language: 'python', source, checker: { language: 'python', source: 'import sys\nprint(open(sys.argv[2]).read())\n' } });
    assert.equal(r.verdict, 'accepted');
    assert.equal(r.tests, undefined, 'no tests array without tests in the request');
    assert.equal(r.stdout, '[]\n');
  });
});

describe('judging input is checked', () => {
  test('stdin at the top level and tests together are refused', async () => {
    const e = await refused({ language: 'python', source: 'print(1)', stdin: 'x', tests: [{ stdin: 'a' }] });
    assert.equal(e.field, 'tests');
  });

  test('an unknown checker language, an empty checker, bad tolerances and test limits are refused with the field', async () => {
    assert.equal((await refused({ language: 'python', source: 'print(1)', checker: { language: 'cobol', source: 'x' } })).code, 'language_not_found');
    assert.equal((await refused({ language: 'python', source: 'print(1)', checker: { language: 'python', source: '  ' } })).field, 'checker.source');
    assert.match((await refused({ language: 'python', source: 'print(1)', comparison: { mode: 'exact', absolute: 1 } })).message, /only to mode "numbers"/);
    assert.equal((await refused({ language: 'python', source: 'print(1)', comparison: { mode: 'numbers', absolute: -1 } })).code, 'invalid_request');
    assert.equal((await refused({ language: 'python', source: 'print(1)', tests: [{ limits: { cpu_time_ms: 10 ** 9 } }] })).code, 'invalid_request');
    assert.equal((await refused({ language: 'python', source: 'print(1)', tests: [] })).code, 'invalid_request');
  });
});
