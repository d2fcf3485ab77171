import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { CgroupFile, CgroupFs } from '../../../src/sandbox/cgroup/Cgroup.js';
import { V2CgroupDriver } from '../../../src/sandbox/cgroup/v2.js';
import { CgroupFailed } from '../../../src/sandbox/errors.js';

/**
 * The v2 driver against an in-memory fixture tree that mimics what the kernel does: mkdir creates
 * the interface files, a write to cgroup.procs moves the pid, cgroup.kill empties the cgroup,
 * rmdir fails while processes or child cgroups remain, and controllers cannot be delegated from a
 * cgroup that still holds processes (the v2 "no internal processes" rule).
 */
function errno(code: string, what: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: ${what}`) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}

class FakeCgroupFs implements CgroupFs {
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>();
  readonly writes: Array<[string, string]> = [];

  /** Files mkdir creates besides the basic ones, e.g. memory.swap.max on a kernel with swap accounting. */
  constructor(private readonly extraFiles: Record<string, string> = {}) {}

  /** Creates a directory and its missing ancestors, as a fixture. */
  mkdirp(dir: string): void {
    const parent = path.dirname(dir);
    if (parent !== dir && !this.dirs.has(parent)) this.mkdirp(parent);
    this.mkdir(dir);
  }

  procs(dir: string): number[] {
    return (this.files.get(path.join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number);
  }

  writesTo(file: string): string[] {
    return this.writes.filter(([f]) => f === file).map(([, v]) => v);
  }

  read(file: string): string {
    const content = this.files.get(file);
    if (content === undefined) throw errno('ENOENT', `no such file ${file}`);
    return content;
  }

  write(file: string, value: string): void {
    const dir = path.dirname(file);
    if (!this.dirs.has(dir)) throw errno('ENOENT', `no such directory ${dir}`);
    this.writes.push([file, value]);
    switch (path.basename(file)) {
      case 'cgroup.procs': {
        const pid = Number(value.trim());
        for (const d of this.dirs) {
          const others = this.procs(d);
          if (others.includes(pid)) this.files.set(path.join(d, 'cgroup.procs'), others.filter((p) => p !== pid).map((p) => `${p}\n`).join(''));
        }
        this.files.set(file, this.procs(dir).concat(pid).map((p) => `${p}\n`).join(''));
        return;
      }
      case 'cgroup.kill':
        if (value.trim() === '1') this.files.set(path.join(dir, 'cgroup.procs'), '');
        return;
      case 'cgroup.subtree_control':
        if (value.includes('+') && this.procs(dir).length > 0) throw errno('EBUSY', `${dir} has processes`);
        this.files.set(file, value);
        return;
      default:
        this.files.set(file, value);
    }
  }

  exists(file: string): boolean {
    return this.files.has(file) || this.dirs.has(file);
  }

  async writeAsync(file: string, value: string): Promise<void> {
    this.write(file, value);
  }

  open(file: string): CgroupFile {
    this.read(file);
    return { read: () => this.read(file), write: (v) => this.write(file, v), writeAsync: (v) => this.writeAsync(file, v), close: () => undefined };
  }

  async rmdirAsync(dir: string): Promise<void> {
    this.rmdir(dir);
  }

  mkdir(dir: string): void {
    if (this.dirs.has(dir)) return;
    this.dirs.add(dir);
    const initial: Record<string, string> = {
      'cgroup.controllers': 'cpu memory pids\n',
      'cgroup.procs': '',
      'cgroup.subtree_control': '',
      'cgroup.kill': '',
      'cpu.stat': 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n',
      ...this.extraFiles,
    };
    for (const [name, content] of Object.entries(initial)) this.files.set(path.join(dir, name), content);
  }

  rmdir(dir: string): void {
    if (!this.dirs.has(dir)) throw errno('ENOENT', `no such directory ${dir}`);
    if (this.list(dir).length > 0) throw errno('EBUSY', `${dir} has child cgroups`);
    if (this.procs(dir).length > 0) throw errno('EBUSY', `${dir} has processes`);
    this.dirs.delete(dir);
    for (const file of [...this.files.keys()]) if (path.dirname(file) === dir) this.files.delete(file);
  }

  list(dir: string): string[] {
    if (!this.dirs.has(dir)) throw errno('ENOENT', `no such directory ${dir}`);
    return [...this.dirs].filter((d) => path.dirname(d) === dir && d !== dir).map((d) => path.basename(d));
  }
}

const MOUNT = '/sys/fs/cgroup';
const BASE_PATH = '/system.slice/verdict.service';
const BASE = path.join(MOUNT, BASE_PATH);
const ROOT = path.join(BASE, 'verdict');
const OWN_PID = 999999;
const INSTANCE = path.join(ROOT, `i-${OWN_PID}`);
const ALL = '+memory +pids +cpu';
const MiB = 1024 * 1024;

/** A fixture tree with the service (and a helper process it started) in the base cgroup. */
function fixture(extraFiles: Record<string, string> = {}): FakeCgroupFs {
  const fs = new FakeCgroupFs(extraFiles);
  fs.mkdirp(BASE);
  fs.files.set(path.join(BASE, 'cgroup.procs'), `${OWN_PID}\n4242\n`);
  return fs;
}

async function initialized(extraFiles: Record<string, string> = {}): Promise<{ fs: FakeCgroupFs; driver: V2CgroupDriver }> {
  const fs = fixture(extraFiles);
  const driver = new V2CgroupDriver(MOUNT, BASE_PATH, 'verdict', fs, OWN_PID);
  await driver.init();
  return { fs, driver };
}

/** A pid that existed and is now certainly gone. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('V2CgroupDriver.init', () => {
  test('moves the processes of the base cgroup into <base>/service', async () => {
    const { fs } = await initialized();
    assert.deepEqual(fs.procs(path.join(BASE, 'service')), [OWN_PID, 4242]);
    assert.deepEqual(fs.procs(BASE), [], 'the base holds no process once it delegates controllers');
  });

  test('enables memory, pids and cpu at the base, root and instance levels', async () => {
    const { fs, driver } = await initialized();
    assert.equal(driver.version, 'v2');
    for (const dir of [BASE, ROOT, INSTANCE]) {
      assert.deepEqual(fs.writesTo(path.join(dir, 'cgroup.subtree_control')), [ALL], dir);
    }
    assert.ok(fs.dirs.has(INSTANCE));
  });

  test('with an empty base it creates no service leaf', async () => {
    const fs = new FakeCgroupFs();
    fs.mkdirp(BASE);
    await new V2CgroupDriver(MOUNT, BASE_PATH, 'verdict', fs, OWN_PID).init();
    assert.equal(fs.dirs.has(path.join(BASE, 'service')), false);
    assert.deepEqual(fs.writesTo(path.join(BASE, 'cgroup.subtree_control')), [ALL]);
  });

  test('a base lacking the memory controller fails, naming it', async () => {
    const fs = fixture();
    fs.files.set(path.join(BASE, 'cgroup.controllers'), 'cpu pids\n');
    const driver = new V2CgroupDriver(MOUNT, BASE_PATH, 'verdict', fs, OWN_PID);
    await assert.rejects(driver.init(), (err: unknown) => {
      assert.ok(err instanceof CgroupFailed, String(err));
      assert.match(err.message, /lacks the controllers memory;/);
      return true;
    });
    assert.equal(fs.dirs.has(ROOT), false, 'nothing is created under a base that cannot delegate');
  });

  test('a filesystem error is reported as CgroupFailed', async () => {
    const fs = fixture();
    fs.mkdir = () => {
      throw errno('EACCES', 'permission denied');
    };
    const driver = new V2CgroupDriver(MOUNT, BASE_PATH, 'verdict', fs, OWN_PID);
    await assert.rejects(driver.init(), (err: unknown) => err instanceof CgroupFailed && /permission denied/.test(err.message) && /writable/.test(err.message));
  });

  test('removes the subtree a dead instance left behind, and keeps its own', async () => {
    const fs = fixture();
    const dead = path.join(ROOT, `i-${deadPid()}`);
    fs.mkdirp(path.join(dead, 'run-1'));
    fs.files.set(path.join(dead, 'run-1', 'cgroup.procs'), '31337\n');
    fs.mkdirp(path.join(ROOT, 'not-an-instance'));
    await new V2CgroupDriver(MOUNT, BASE_PATH, 'verdict', fs, OWN_PID).init();
    assert.equal(fs.dirs.has(dead), false);
    assert.equal(fs.dirs.has(path.join(dead, 'run-1')), false);
    assert.deepEqual(fs.writesTo(path.join(dead, 'run-1', 'cgroup.kill')), ['1']);
    assert.ok(fs.dirs.has(INSTANCE));
    assert.ok(fs.dirs.has(path.join(ROOT, 'not-an-instance')), 'directories it does not own are left alone');
  });
});

describe('V2CgroupDriver.create', () => {
  test('numbers what it makes: two cgroups made with one label get two directories', async () => {
    const { driver } = await initialized();
    const a = await driver.create('run', { memoryBytes: MiB, pids: 8 });
    const b = await driver.create('run', { memoryBytes: MiB, pids: 8 });
    assert.deepEqual([a.name, b.name], ['run-1', 'run-2']);
  });

  test('writes memory.max and pids.max, and disables swap and enables group OOM when supported', async () => {
    const { fs, driver } = await initialized({ 'memory.swap.max': 'max\n', 'memory.oom.group': '0\n' });
    const run = await driver.create('run', { memoryBytes: 256 * MiB, pids: 64 });
    const dir = path.join(INSTANCE, 'run-1');
    assert.equal(run.name, 'run-1');
    assert.ok(fs.dirs.has(dir));
    assert.equal(fs.read(path.join(dir, 'memory.max')), String(256 * MiB));
    assert.equal(fs.read(path.join(dir, 'pids.max')), '64');
    assert.equal(fs.read(path.join(dir, 'memory.swap.max')), '0');
    assert.equal(fs.read(path.join(dir, 'memory.oom.group')), '1');
  });

  test('on a kernel without memory.swap.max or memory.oom.group it does not create them', async () => {
    const { fs, driver } = await initialized();
    await driver.create('run', { memoryBytes: MiB, pids: 8 });
    const dir = path.join(INSTANCE, 'run-1');
    assert.equal(fs.read(path.join(dir, 'memory.max')), String(MiB));
    assert.equal(fs.exists(path.join(dir, 'memory.swap.max')), false);
    assert.equal(fs.exists(path.join(dir, 'memory.oom.group')), false);
  });

  test('a failed limit write removes the half-made cgroup and throws CgroupFailed', async () => {
    const { fs, driver } = await initialized();
    const write = fs.write.bind(fs);
    fs.write = (file, value) => {
      if (path.basename(file) === 'pids.max') throw errno('EINVAL', 'invalid argument');
      write(file, value);
    };
    await assert.rejects(() => driver.create('run', { memoryBytes: MiB, pids: 8 }), CgroupFailed);
    assert.equal(fs.dirs.has(path.join(INSTANCE, 'run-1')), false);
  });

  test('attach writes the pid to the run cgroup.procs', async () => {
    const { fs, driver } = await initialized();
    const run = await driver.create('run', { memoryBytes: MiB, pids: 8 });
    await run.attach(5151);
    assert.deepEqual(fs.procs(path.join(INSTANCE, 'run-1')), [5151]);
  });
});

describe('V2RunCgroup usage', () => {
  const cpuStatAt = (usec: number) => `usage_usec ${usec}\nuser_usec ${usec - 100}\nsystem_usec 100\nnr_periods 0\n`;

  test('reports CPU since creation, peak memory and an OOM kill', async () => {
    const { fs, driver } = await initialized({ 'cpu.stat': cpuStatAt(1500) });
    const run = await driver.create('run', { memoryBytes: 64 * MiB, pids: 8 });
    const dir = path.join(INSTANCE, 'run-1');
    assert.equal(run.cpuUsageUs(), 0);
    fs.files.set(path.join(dir, 'cpu.stat'), cpuStatAt(26500));
    fs.files.set(path.join(dir, 'memory.peak'), `${10 * MiB}\n`);
    fs.files.set(path.join(dir, 'memory.current'), `${MiB}\n`);
    fs.files.set(path.join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 1\n');
    assert.equal(run.cpuUsageUs(), 25000);
    assert.deepEqual(run.usage(), { cpuUsageUs: 25000, memoryPeakBytes: 10 * MiB, oomKilled: true });
  });

  test('oom_kill 0 is not an OOM kill', async () => {
    const { fs, driver } = await initialized();
    const run = await driver.create('run', { memoryBytes: 64 * MiB, pids: 8 });
    const dir = path.join(INSTANCE, 'run-1');
    fs.files.set(path.join(dir, 'memory.peak'), '4096\n');
    fs.files.set(path.join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n');
    assert.deepEqual(run.usage(), { cpuUsageUs: 0, memoryPeakBytes: 4096, oomKilled: false });
  });

  test('falls back to memory.current on kernels without memory.peak', async () => {
    const { fs, driver } = await initialized();
    const run = await driver.create('run', { memoryBytes: 64 * MiB, pids: 8 });
    const dir = path.join(INSTANCE, 'run-1');
    fs.files.set(path.join(dir, 'memory.current'), '8192\n');
    fs.files.set(path.join(dir, 'memory.events'), 'oom_kill 0\n');
    assert.equal(run.usage().memoryPeakBytes, 8192);
  });
});

describe('V2RunCgroup.destroy and close', () => {
  test('kills through cgroup.kill when processes remain, then removes the cgroup', async () => {
    const { fs, driver } = await initialized();
    const run = await driver.create('run', { memoryBytes: MiB, pids: 8 });
    const dir = path.join(INSTANCE, 'run-1');
    await run.attach(5151);
    await run.destroy();
    assert.deepEqual(fs.writesTo(path.join(dir, 'cgroup.kill')), ['1']);
    assert.equal(fs.dirs.has(dir), false);
    assert.equal(fs.exists(path.join(dir, 'memory.max')), false);
  });

  test('an empty cgroup is removed without a kill, and destroy is idempotent', async () => {
    const { fs, driver } = await initialized();
    const run = await driver.create('run', { memoryBytes: MiB, pids: 8 });
    const dir = path.join(INSTANCE, 'run-1');
    await run.destroy();
    await run.destroy();
    assert.deepEqual(fs.writesTo(path.join(dir, 'cgroup.kill')), []);
    assert.equal(fs.dirs.has(dir), false);
  });

  test('close removes the instance subtree once runs are destroyed', async () => {
    const { fs, driver } = await initialized();
    const run = await driver.create('run', { memoryBytes: MiB, pids: 8 });
    await run.destroy();
    await driver.close();
    assert.equal(fs.dirs.has(INSTANCE), false);
    assert.ok(fs.dirs.has(ROOT));
  });
});
