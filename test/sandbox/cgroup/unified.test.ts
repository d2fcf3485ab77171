import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { nodeCgroupFs } from '../../../src/sandbox/cgroup/fs.js';
import { killAndRemoveV2 } from '../../../src/sandbox/cgroup/v2.js';

/**
 * The cgroup v2 kill-and-remove path against the real kernel. On a hybrid host the v2 tree at
 * /sys/fs/cgroup/unified has no controllers, but a child cgroup there still has cgroup.kill and
 * cgroup.events; on a pure v2 host /sys/fs/cgroup itself is used.
 */
const V2_ROOT = fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';

test('cgroup.kill empties a real v2 cgroup, including processes that fork, and it is removed', async () => {
  assert.ok(fs.existsSync(`${V2_ROOT}/cgroup.procs`), `a cgroup v2 tree is mounted at ${V2_ROOT}`);
  const dir = path.join(V2_ROOT, `verdict-test-unified-${process.pid}`);
  fs.mkdirSync(dir);
  try {
    assert.ok(fs.existsSync(path.join(dir, 'cgroup.kill')), 'the kernel offers cgroup.kill (>= 5.14)');
    // A shell that keeps forking children which ignore SIGTERM: only a real kill-all ends it.
    const child = spawn('/bin/sh', ['-c', 'trap "" TERM; while :; do sleep 5 & sleep 0.05; done'], { stdio: 'ignore', detached: true });
    const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(child.pid));
    await new Promise((r) => setTimeout(r, 300));
    const before = fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
    assert.ok(before.length >= 2, `the shell forked into the cgroup (${before.length} processes)`);
    assert.match(fs.readFileSync(path.join(dir, 'cgroup.events'), 'utf8'), /populated 1/);
    await killAndRemoveV2(nodeCgroupFs, dir);
    assert.equal(fs.existsSync(dir), false, 'the cgroup is removed');
    assert.equal(await exited, 'SIGKILL');
  } finally {
    if (fs.existsSync(dir)) {
      fs.writeFileSync(path.join(dir, 'cgroup.kill'), '1');
      await new Promise((r) => setTimeout(r, 200));
      fs.rmdirSync(dir);
    }
  }
});
