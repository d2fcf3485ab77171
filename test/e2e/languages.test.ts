import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request, waitFinished } from '../helpers/http.js';
import { processesOfUids, runCgroupsLeft } from '../helpers/leaks.js';
import { removeServerDirs, startServer, type TestServer } from '../helpers/server.js';
import { PROGRAMS } from './programs.js';

/**
 * Every language through the real HTTP API and the real sandbox: the verdicts a user relies on.
 * All cases of a language are submitted at once and then polled, as a client would.
 */
let server: TestServer;

before(async () => {
  server = await startServer({ slots: 2 });
});

after(async () => {
  assert.equal(await server.stop(), 0, 'server exits cleanly on SIGTERM');
  assert.deepEqual(processesOfUids(server.uidBase, 2), [], 'no sandboxed process is left');
  assert.deepEqual(runCgroupsLeft('verdict-test'), [], 'no run cgroup is left');
  removeServerDirs(server);
});

interface Case {
  name: string;
  source: string;
  stdin?: string;
  expected_output?: string;
  limits?: Record<string, number>;
  check(result: any): void;
}

function cases(language: string): Case[] {
  const p = PROGRAMS[language];
  const list: Case[] = [
    {
      name: 'hello world reading stdin',
      source: p.hello,
      stdin: 'world\n',
      check: (r) => {
        assert.equal(r.verdict, 'accepted', JSON.stringify(r));
        assert.equal(r.stdout, 'hello world\n');
        assert.equal(r.exit_code, 0);
        assert.ok(r.memory_kb > 0 && r.wall_time_ms >= 0 && r.cpu_time_ms >= 0);
      },
    },
    {
      name: 'expected output matches (trailing whitespace ignored)',
      source: p.hello,
      stdin: 'world\n',
      expected_output: 'hello world   \n\n\n',
      check: (r) => assert.equal(r.verdict, 'accepted', JSON.stringify(r)),
    },
    {
      name: 'expected output differs',
      source: p.hello,
      stdin: 'world\n',
      expected_output: 'goodbye world\n',
      check: (r) => assert.equal(r.verdict, 'wrong_answer', JSON.stringify(r)),
    },
    {
      name: 'runtime error',
      source: p.runtimeError,
      check: (r) => {
        assert.equal(r.verdict, 'runtime_error', JSON.stringify(r));
        assert.ok(r.exit_code !== 0 || r.signal !== null);
      },
    },
    {
      name: 'non-zero exit',
      source: p.exit3,
      check: (r) => {
        assert.equal(r.verdict, 'runtime_error', JSON.stringify(r));
        assert.equal(r.exit_code, 3);
        assert.equal(r.verdict_detail, 'exit code 3');
      },
    },
    {
      name: 'CPU time limit',
      source: p.spinCpu,
      limits: { cpu_time_ms: 1000, wall_time_ms: 8000 },
      check: (r) => {
        assert.equal(r.verdict, 'time_limit_exceeded', JSON.stringify(r));
        assert.equal(r.verdict_detail, 'cpu');
        assert.ok(r.cpu_time_ms >= 1000, `cpu ${r.cpu_time_ms}`);
      },
    },
    {
      name: 'wall time limit',
      source: p.sleep,
      limits: { wall_time_ms: 1000 },
      check: (r) => {
        assert.equal(r.verdict, 'time_limit_exceeded', JSON.stringify(r));
        assert.equal(r.verdict_detail, 'wall');
      },
    },
    {
      name: 'memory limit',
      source: p.allocate,
      limits: { memory_kb: p.memoryKb ?? 65536 },
      check: (r) => assert.equal(r.verdict, 'memory_limit_exceeded', JSON.stringify({ ...r, stdout: r.stdout?.slice(0, 200) })),
    },
    {
      name: 'output limit',
      source: p.flood,
      limits: { output_kb: 16 },
      check: (r) => {
        assert.equal(r.verdict, 'output_limit_exceeded', JSON.stringify({ ...r, stdout: r.stdout?.slice(0, 100) }));
        assert.ok(r.stdout.length <= 16 * 1024);
      },
    },
  ];
  if (p.compileError) {
    list.push({
      name: 'compile error',
      source: p.compileError,
      check: (r) => {
        assert.equal(r.verdict, 'compile_error', JSON.stringify(r));
        assert.ok(r.compile_output.length > 0, 'the compiler says why');
        assert.equal(r.exit_code, null, 'nothing ran');
      },
    });
  }
  return list;
}

for (const language of Object.keys(PROGRAMS)) {
  describe(`${language} end to end`, () => {
    const list = cases(language);
    const ids = new Map<string, Promise<any>>();

    before(async () => {
      for (const c of list) {
        const r = await request('POST', `${server.url}/v1/submissions`, {
          language,
          source: c.source,
          stdin: c.stdin,
          expected_output: c.expected_output,
          limits: c.limits,
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        assert.equal(r.body.status, 'queued');
        const finished = waitFinished(server.url, r.body.id, 180_000);
        finished.catch(() => undefined); // reported by the test that awaits it
        ids.set(c.name, finished);
      }
    });

    for (const c of list) {
      test(c.name, async () => c.check(await ids.get(c.name)));
    }
  });
}
