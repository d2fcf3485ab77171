import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { request } from '../../helpers/http.js';
import { processesOfUids, runCgroupsLeft } from '../../helpers/leaks.js';
import { removeServerDirs, startServer, type TestServer } from '../../helpers/server.js';

/**
 * Piston's interactive protocol (GET /api/v2/connect) against the real server, in both sandbox
 * modes: input reaches a running program piece by piece, its answers come back before its input
 * ends, end of file and signals reach it, and the limits and clean-up of every run still hold.
 */
const OUTPUT_KB = 64;
const SLOTS = 2;

const ECHO_PY = 'import sys\nname = sys.stdin.readline().strip()\nprint("hello " + name, flush=True)\nrest = sys.stdin.read()\nprint(len(rest))\n';
const ECHO_C =
  '#include <stdio.h>\nint main(void){ char line[256]; if (!fgets(line, sizeof line, stdin)) return 1; printf("got %s", line); fflush(stdout);\n' +
  '  long n = 0; while (getchar() != EOF) n++; printf("%ld\\n", n); return 0; }\n';
const SLEEPER_PY = 'import time\nprint("ready", flush=True)\ntime.sleep(30)\n';

/** One client connection: every message it got, and a way to wait for the one that matters. */
class Client {
  readonly ws: WebSocket;
  readonly messages: any[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<{ test: (m: any) => boolean; resolve: (m: any) => void }> = [];

  constructor(url: string) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v2/connect`);
    this.ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => !(w.test(msg) && (w.resolve(msg), true)));
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  send(msg: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** Resolves with the first message (already received or to come) that passes `test`. */
  next(test: (m: any) => boolean): Promise<any> {
    const seen = this.messages.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  stdout(): string {
    return this.messages.filter((m) => m.type === 'data' && m.stream === 'stdout').map((m) => m.data).join('');
  }

  /** Waits until the program's stdout so far holds `text`. */
  async untilStdout(text: string): Promise<void> {
    await this.next(() => this.stdout().includes(text));
  }
}

async function open(url: string, init: Record<string, unknown>): Promise<Client> {
  const c = new Client(url);
  await c.opened();
  c.send({ type: 'init', version: '*', ...init });
  return c;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const mode of ['warm', 'cold']) {
  describe(`interactive sessions, ${mode} sandbox`, () => {
    let server: TestServer;

    before(async () => {
      server = await startServer({ slots: SLOTS, env: { VERDICT_SANDBOX_MODE: mode, VERDICT_OUTPUT_KB_DEFAULT: String(OUTPUT_KB) } });
    });

    after(async () => {
      assert.equal(await server.stop(), 0, 'server exits cleanly on SIGTERM');
      assert.deepEqual(processesOfUids(server.uidBase, SLOTS), [], 'no sandboxed process is left');
      assert.deepEqual(runCgroupsLeft('verdict-test'), [], 'no run cgroup is left');
      removeServerDirs(server);
    });

    test('an echo program answers before its input ends, then counts the rest up to end of file', async () => {
      const c = await open(server.url, { language: 'py', files: [{ content: ECHO_PY }] });
      c.send({ type: 'data', stream: 'stdin', data: 'bo' });
      await pause(100);
      c.send({ type: 'data', stream: 'stdin', data: 'b\nab' });
      await c.untilStdout('hello bob\n');
      c.send({ type: 'data', stream: 'stdin', data: 'c' });
      c.send({ type: 'data', stream: 'stdin', data: 'de\nf' });
      await pause(100);
      assert.equal(c.stdout(), 'hello bob\n', 'the program is still reading: no end of file yet');
      c.send({ type: 'eof' });
      assert.deepEqual(await c.closed, { code: 4999, reason: 'Job Completed' });
      assert.equal(c.stdout(), 'hello bob\n7\n');
      const kinds = c.messages.filter((m) => m.type !== 'data');
      assert.deepEqual(kinds.slice(0, 2), [{ type: 'runtime', language: 'python', version: kinds[0].version }, { type: 'stage', stage: 'run' }]);
      assert.deepEqual(
        { ...kinds[2], cpu_time: 0, wall_time: 0, memory: 0 },
        { type: 'exit', stage: 'run', code: 0, signal: null, status: null, message: null, cpu_time: 0, wall_time: 0, memory: 0 },
      );
      assert.equal(kinds.length, 3);
    });

    test('a compiled program: the compile stage and its exit, then the run', async () => {
      const c = await open(server.url, { language: 'c', files: [{ content: ECHO_C }] });
      c.send({ type: 'data', stream: 'stdin', data: 'first line\n' });
      await c.untilStdout('got first line\n');
      c.send({ type: 'data', stream: 'stdin', data: '12345' });
      c.send({ type: 'eof' });
      assert.equal((await c.closed).code, 4999);
      assert.equal(c.stdout(), 'got first line\n5\n');
      const steps = c.messages.filter((m) => m.type === 'stage' || m.type === 'exit').map((m) => `${m.type}:${m.stage}:${m.code ?? m.signal ?? ''}`);
      assert.deepEqual(steps, ['stage:compile:', 'exit:compile:0', 'stage:run:', 'exit:run:0']);
    });

    test('a compile error ends the session after the compile stage', async () => {
      const c = await open(server.url, { language: 'c', files: [{ content: 'int main(void) { return undefined_name; }' }] });
      assert.equal((await c.closed).code, 4999);
      const exit = c.messages.find((m) => m.type === 'exit');
      assert.deepEqual([exit.stage, exit.code, exit.status], ['compile', 1, 'RE']);
      assert.ok(c.messages.some((m) => m.type === 'data' && m.stream === 'stderr' && /undefined_name/.test(m.data)));
      assert.ok(!c.messages.some((m) => m.type === 'stage' && m.stage === 'run'));
    });

    for (const signal of ['SIGTERM', 'SIGKILL']) {
      test(`${signal} ends a sleeping program with ${signal}`, async () => {
        const c = await open(server.url, { language: 'python', files: [{ content: SLEEPER_PY }] });
        await c.untilStdout('ready\n');
        c.send({ type: 'signal', signal });
        const exit = await c.next((m) => m.type === 'exit');
        assert.deepEqual([exit.stage, exit.code, exit.signal, exit.status], ['run', null, signal, 'SG']);
        assert.ok(exit.wall_time < 10_000, JSON.stringify(exit));
        assert.equal((await c.closed).code, 4999);
      });
    }

    test('a signal sent while the program compiles reaches it once it runs', async () => {
      const c = await open(server.url, { language: 'c', files: [{ content: '#include <unistd.h>\nint main(void){ sleep(30); return 0; }' }] });
      c.send({ type: 'signal', signal: 'SIGINT' });
      const exit = await c.next((m) => m.type === 'exit' && m.stage === 'run');
      assert.deepEqual([exit.code, exit.signal, exit.status], [null, 'SIGINT', 'SG']);
    });

    test('the run\'s limits still hold: wall time, output', async () => {
      const waiting = await open(server.url, { language: 'python', files: [{ content: 'input()' }], run_timeout: 1000 });
      const flood = await open(server.url, { language: 'python', files: [{ content: 'while True:\n    print("y" * 100)\n' }] });
      const timedOut = await waiting.next((m) => m.type === 'exit');
      assert.deepEqual([timedOut.status, timedOut.signal, timedOut.message], ['TO', 'SIGKILL', 'Time limit exceeded (wall clock)']);
      const over = await flood.next((m) => m.type === 'exit');
      assert.deepEqual([over.status, over.signal], ['OL', 'SIGKILL']);
      assert.ok(flood.stdout().length <= OUTPUT_KB * 1024 && flood.stdout().length > 0, `${flood.stdout().length} bytes forwarded`);
    });

    test('a client that goes away takes its program with it', async () => {
      const c = await open(server.url, { language: 'bash', files: [{ content: 'echo ready; sleep 30' }] });
      await c.untilStdout('ready\n');
      c.ws.terminate();
      const deadline = Date.now() + 5000;
      while (processesOfUids(server.uidBase, SLOTS, /\/\.verdict\/zygote/).length > 0) {
        assert.ok(Date.now() < deadline, `still running: ${processesOfUids(server.uidBase, SLOTS, /\/\.verdict\/zygote/).join('\n')}`);
        await pause(50);
      }
      const r = await request('POST', `${server.url}/api/v2/execute`, { language: 'python', version: '*', files: [{ content: 'print("still here")' }] });
      assert.equal(r.body.run.stdout, 'still here\n');
    });

    test('protocol mistakes close with Piston\'s codes', async () => {
      const early = new Client(server.url);
      await early.opened();
      early.send({ type: 'data', stream: 'stdin', data: 'x' });
      assert.deepEqual(await early.closed, { code: 4003, reason: 'Not yet initialized' });

      const twice = await open(server.url, { language: 'python', files: [{ content: SLEEPER_PY }] });
      twice.send({ type: 'init', language: 'python', version: '*', files: [{ content: 'print(1)' }] });
      assert.deepEqual(await twice.closed, { code: 4000, reason: 'Already Initialized' });

      const badSignal = await open(server.url, { language: 'python', files: [{ content: SLEEPER_PY }] });
      badSignal.send({ type: 'signal', signal: 'SIGNOPE' });
      assert.deepEqual(await badSignal.closed, { code: 4005, reason: 'Invalid signal' });

      const stdout = await open(server.url, { language: 'python', files: [{ content: SLEEPER_PY }] });
      stdout.send({ type: 'data', stream: 'stdout', data: 'x' });
      assert.deepEqual(await stdout.closed, { code: 4004, reason: 'Can only write to stdin' });

      const unknown = await open(server.url, { language: 'python', version: '9', files: [{ content: 'print(1)' }] });
      assert.deepEqual(await unknown.closed, { code: 4002, reason: 'Notified Error' });
      assert.deepEqual(unknown.messages, [{ type: 'error', message: 'python-9 runtime is unknown' }]);

      const silent = new Client(server.url);
      await silent.opened();
      assert.deepEqual(await silent.closed, { code: 4001, reason: 'Initialization Timeout' });
    });
  });
}
