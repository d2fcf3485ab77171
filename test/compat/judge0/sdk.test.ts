import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, removeServerDirs, startServer, type TestServer } from '../../helpers/server.js';

/**
 * The official Judge0 Python SDK, installed from PyPI and used unchanged, drives this server:
 * its client setup (/languages, /config_info, /about), run, async execute and wait, a batch,
 * a compile error, a wrong answer, stdin, additional files, all behind X-Auth-Token.
 */
let server: TestServer;
let python: string;
const TOKEN = 'sdk-test-token';

before(async () => {
  // Same script as setup.sh; a second run only checks the installed version.
  const install = spawnSync('bash', [path.join(ROOT, 'scripts/judge0-sdk.sh')], { encoding: 'utf8' });
  assert.equal(install.status, 0, `the Judge0 SDK could not be installed from PyPI (scripts/judge0-sdk.sh):\n${install.stderr}`);
  python = install.stdout.trim();
  server = await startServer({ env: { VERDICT_JUDGE0_AUTH_TOKEN: TOKEN } });
});

after(async () => {
  assert.equal(await server.stop(), 0);
  removeServerDirs(server);
});

function runFlow(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [path.join(ROOT, 'test/compat/judge0/sdk_flow.py')], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        JUDGE0_CE_ENDPOINT: server.url,
        JUDGE0_CE_AUTH_HEADERS: JSON.stringify({ 'X-Auth-Token': TOKEN }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The SDK's default wait polls forever; a hung flow must fail the test, not the run.
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('the official SDK runs its normal flow against this server unchanged', async () => {
  const run = await runFlow();
  assert.equal(run.code, 0, `sdk_flow.py failed:\n${run.stderr}`);
  const out = JSON.parse(run.stdout.trim().split('\n').pop() as string);

  // Client setup: the SDK's alias tables for 1.13.1 pick the well-known ids.
  assert.equal(out.version, '1.13.1');
  assert.equal(out.max_batch, 20);
  assert.equal(out.python_id, 71);
  assert.equal(out.c_id, 50);

  assert.equal(out.python.status, 3);
  assert.equal(out.python.stdout, 'olleh\n');
  assert.ok(out.python.time >= 0 && out.python.wall_time >= out.python.time * 0.5, JSON.stringify(out.python));
  assert.ok(out.python.memory > 0);
  assert.equal(out.python.exit_code, 0);
  assert.match(out.python.token, /^[0-9a-f-]{36}$/);
  assert.ok(out.python.finished_at >= out.python.created_at);

  assert.equal(out.c.status, 3, JSON.stringify(out.c));
  assert.equal(out.c.stdout, '42\n');

  assert.equal(out.async.token, out.async_token);
  assert.equal(out.async.status, 3);
  assert.equal(out.async.stdout, '42\n');

  assert.deepEqual(out.batch.map((s: { status: number }) => s.status), [3, 3, 4]);
  assert.deepEqual(out.batch.map((s: { stdout: string }) => s.stdout), ['2\n', '4\n', '6\n']);
  assert.equal(new Set(out.batch.map((s: { token: string }) => s.token)).size, 3);

  assert.equal(out.compile_error.status, 6);
  assert.match(out.compile_error.compile_output, /error/);
  assert.equal(out.compile_error.stdout, null);
  assert.equal(out.compile_error.time, null);

  assert.equal(out.wrong_answer.status, 4);
  assert.equal(out.wrong_answer.stdout, '41\n');

  assert.equal(out.additional_files.status, 3, JSON.stringify(out.additional_files));
  assert.equal(out.additional_files.stdout, '42\n');
});

test('the SDK is refused without the token, as Judge0 refuses it', async () => {
  const child = spawnSync(python, ['-c', 'import judge0; judge0.get_client()'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', JUDGE0_CE_ENDPOINT: server.url, JUDGE0_CE_AUTH_HEADERS: '{"X-Auth-Token": "wrong"}' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.notEqual(child.status, 0);
  assert.match(child.stderr, /401/);
});
