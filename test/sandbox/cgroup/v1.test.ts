import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunCgroup } from '../../../src/sandbox/cgroup/Cgroup.js';
import { nodeCgroupFs } from '../../../src/sandbox/cgroup/fs.js';
import { RECYCLE_MAX_CHARGED_BYTES, V1CgroupDriver } from '../../../src/sandbox/cgroup/v1.js';

const MiB = 1024 * 1024;

/**
 * Runs Python in the cgroup: moved in before it allocates (it waits for a line on stdin first),
 * then `code`. Resolves with how it ended.
 */
async function runIn(cgroup: RunCgroup, code: string): Promise<{ code: number | null; signal: string | null }> {
  return runArgv(cgroup, ['/usr/bin/python3', '-c', `import sys\nsys.stdin.readline()\n${code}`]);
}

/** Runs `argv` in the cgroup; it must wait for a line on stdin before it does anything. */
async function runArgv(cgroup: RunCgroup, argv: string[]): Promise<{ code: number | null; signal: string | null }> {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'ignore', 'ignore'] });
  const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (c, s) => resolve({ code: c, signal: s })));
  await cgroup.attach(child.pid!);
  child.stdin.end('go\n');
  return ended;
}

/** cgroup v1 run cgroups on this host's real hierarchies: recycling one for the slot's next run. */
describe('V1 run cgroup recycling', () => {
  const driver = new V1CgroupDriver('/sys/fs/cgroup', 'verdict-test', nodeCgroupFs);
  const made: RunCgroup[] = [];

  before(() => driver.init());
  after(async () => {
    for (const c of made) await c.destroy();
    await driver.close();
  });

  async function fresh(memoryBytes = 256 * MiB): Promise<RunCgroup> {
    const c = await driver.create(`recycle-${made.length}`, { memoryBytes, pids: 64 });
    made.push(c);
    return c;
  }

  test('counters start again from zero: CPU, peak memory and OOM kills of the last run are not the next one\'s', async () => {
    const cgroup = await fresh(64 * MiB);
    // A run that spins, touches 40 MiB, then exceeds the limit and is OOM-killed.
    const first = await runIn(cgroup, 'import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\nkeep = bytearray(40 << 20)\nmore = bytearray(80 << 20)');
    assert.equal(first.signal, 'SIGKILL');
    const used = cgroup.usage();
    assert.ok(used.cpuUsageUs >= 250_000, `first run used ${used.cpuUsageUs} µs of CPU`);
    assert.ok(used.oomKilled);
    assert.equal(cgroup.recycle(), true);
    const reset = cgroup.usage();
    assert.ok(reset.cpuUsageUs < 1000, `CPU after recycling: ${reset.cpuUsageUs} µs`);
    assert.ok(reset.memoryPeakBytes <= RECYCLE_MAX_CHARGED_BYTES, `peak after recycling: ${reset.memoryPeakBytes} bytes`);
    assert.equal(reset.oomKilled, false, 'the last run\'s OOM kill is not this run\'s');
    // The next run touches 10 MiB: its peak is its own, not the 64 MiB of the one before.
    cgroup.setLimits({ memoryBytes: 64 * MiB, pids: 64 });
    const second = await runIn(cgroup, 'keep = bytearray(10 << 20)\nkeep[::4096] = b"x" * len(keep[::4096])');
    assert.equal(second.code, 0);
    const peak = cgroup.usage().memoryPeakBytes;
    assert.ok(peak > 10 * MiB && peak < 24 * MiB, `second run's peak ${(peak / MiB).toFixed(1)} MiB`);
    assert.equal(cgroup.usage().oomKilled, false);
  });

  test('what a run leaves charged: over the bound, the cgroup is not reused; under it, it counts in the next peak', async () => {
    // The page cache of a file a run wrote stays charged to its cgroup after it exits.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-test-'));
    const leave2MiB = (cgroup: RunCgroup, name: string) => runArgv(cgroup, ['/bin/sh', '-c', 'read x; head -c 2097152 /dev/zero > "$0"', path.join(dir, name)]);
    const memoryFile = (cgroup: RunCgroup, name: string): number => Number(fs.readFileSync(path.join(`/sys/fs/cgroup/memory/verdict-test/i-${process.pid}`, cgroup.name, name), 'utf8'));
    try {
      const strict = await fresh(64 * MiB);
      assert.equal((await leave2MiB(strict, 'a')).code, 0);
      assert.equal(strict.recycle(), false, `2 MiB left charged is over the ${RECYCLE_MAX_CHARGED_BYTES} bytes allowed`);
      // A driver that allows 8 MiB, to see what a reused cgroup starts its next run with.
      const roomy = new V1CgroupDriver('/sys/fs/cgroup', 'verdict-test', nodeCgroupFs, process.pid, false, 8 * MiB);
      const cgroup = await roomy.create('recycle-roomy', { memoryBytes: 64 * MiB, pids: 64 });
      made.push(cgroup);
      assert.equal((await leave2MiB(cgroup, 'b')).code, 0);
      assert.equal(cgroup.recycle(), true);
      const peak = cgroup.usage().memoryPeakBytes;
      assert.ok(peak >= 2 * MiB && peak <= 8 * MiB, `the peak starts from what is left charged (${peak} bytes)`);
      cgroup.setLimits({ memoryBytes: 64 * MiB, pids: 64 });
      assert.equal(memoryFile(cgroup, 'memory.limit_in_bytes'), 64 * MiB, 'the limit is the run\'s own');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the memory limit of a recycled cgroup still holds, and its OOM kill is reported', async () => {
    const cgroup = await fresh(32 * MiB);
    await runIn(cgroup, 'pass');
    assert.equal(cgroup.recycle(), true);
    cgroup.setLimits({ memoryBytes: 32 * MiB, pids: 64 });
    const run = await runIn(cgroup, 'keep = bytearray(64 << 20)');
    assert.equal(run.signal, 'SIGKILL');
    assert.equal(cgroup.usage().oomKilled, true);
  });

  test('a cgroup with a process still in it is not recycled', async () => {
    const cgroup = await fresh();
    const child = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
    try {
      await cgroup.attach(child.pid!);
      assert.equal(cgroup.recycle(), false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
