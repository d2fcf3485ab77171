import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from '../helpers/server.js';

/** `verdict run FILE`: one sandboxed run from the terminal, output on stdout, summary on stderr. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-test-cli-'));
const sandboxDir = `/run/verdict-test-cli-${process.pid}`;

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(sandboxDir, { recursive: true, force: true });
});

function verdict(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli/main.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', VERDICT_SANDBOX_DIR: sandboxDir, VERDICT_SANDBOX_UID_BASE: '2920000', VERDICT_CGROUP_ROOT: 'verdict-test' },
  });
}

test('runs a file in the sandbox, language from its extension', () => {
  const file = path.join(dir, 'hello.py');
  fs.writeFileSync(file, 'import os\nprint("hello", input(), os.getuid())\n');
  const r = verdict('run', file, '--stdin', 'cli');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'hello cli 1000\n');
  assert.match(r.stderr, /verdict: accepted {2}cpu \d+ ms {2}wall \d+ ms {2}memory \d+ KiB/);
});

test('a compiled language, arguments, and the program\'s exit code as ours', () => {
  const file = path.join(dir, 'args.c');
  fs.writeFileSync(file, '#include <stdio.h>\nint main(int c, char **v){ printf("%d %s\\n", c, v[1]); return 4; }\n');
  const r = verdict('run', file, '--arg', 'a b;c');
  assert.equal(r.status, 4);
  assert.equal(r.stdout, '2 a b;c\n');
  assert.match(r.stderr, /verdict: runtime_error \(exit code 4\)/);
});

test('usage errors say what to fix, without a stack trace', () => {
  const noLang = path.join(dir, 'x.unknown');
  fs.writeFileSync(noLang, 'x');
  const r = verdict('run', noLang);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /cannot tell the language .* pass --language/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  const bad = verdict('serve', '--slots', 'zero');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /VERDICT_SLOTS \(or --slots.*must be an integer >= 1/);
});
