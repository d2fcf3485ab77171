import path from 'node:path';
import type { CgroupDriver, CgroupFs, CgroupLimits, CgroupUsage, RunCgroup } from './Cgroup.js';
import { cgroupProcs, killPid, removeCgroup } from './fs.js';
import { deadInstances, instanceDirName } from '../instance.js';
import { CgroupFailed } from '../errors.js';

/**
 * The v1 controllers a run needs; each is a separate hierarchy under the mount. No freezer: every
 * run is in a pid namespace of its own, so killing its init kills the rest at once, and each
 * hierarchy costs a mkdir, a move and an rmdir per run.
 */
const CONTROLLERS = ['memory', 'pids', 'cpuacct'] as const;
type Controller = (typeof CONTROLLERS)[number];

/**
 * cgroup v1 (hybrid hosts such as these Debian machines): one directory per run under each of
 * memory, pids and cpuacct.
 */
export class V1CgroupDriver implements CgroupDriver {
  readonly version = 'v1' as const;
  private readonly instanceDirs: Record<Controller, string>;

  constructor(
    private readonly mount: string,
    private readonly rootName: string,
    private readonly fs: CgroupFs,
    private readonly pid: number = process.pid,
    /** Move processes with a plain write (see fastCgroupMoves) instead of off the event loop. */
    private readonly syncAttach = false,
  ) {
    this.instanceDirs = Object.fromEntries(
      CONTROLLERS.map((c) => [c, path.join(mount, c, rootName, instanceDirName(pid))]),
    ) as Record<Controller, string>;
  }

  async init(): Promise<void> {
    for (const c of CONTROLLERS) {
      const root = path.join(this.mount, c, this.rootName);
      try {
        this.fs.mkdir(root);
      } catch (err) {
        throw new CgroupFailed(`cannot create cgroup ${root}: ${(err as Error).message}; Verdict must run as root with the ${c} controller mounted`, err);
      }
      await this.sweepDead(root);
      this.fs.mkdir(this.instanceDirs[c]);
    }
  }

  /** A dead instance's runs were killed with it (bwrap --die-with-parent); only empty dirs remain. */
  private async sweepDead(root: string): Promise<void> {
    for (const name of deadInstances(this.fs.list(root), this.pid)) {
      const dir = path.join(root, name);
      for (const run of this.fs.list(dir)) await removeV1(this.fs, path.join(dir, run));
      await removeV1(this.fs, dir);
    }
  }

  /** Whether swap accounting is on (memory.memsw.* exist); read once. */
  private memswKnown: boolean | undefined;

  async create(name: string, limits: CgroupLimits): Promise<RunCgroup> {
    const dirs = Object.fromEntries(CONTROLLERS.map((c) => [c, path.join(this.instanceDirs[c], name)])) as Record<Controller, string>;
    try {
      // Plain synchronous calls: each takes microseconds, less than a trip through the thread pool.
      for (const c of CONTROLLERS) this.fs.mkdir(dirs[c]);
      // With swap accounting on, also forbid swap; without it the file is absent and there is no swap to use.
      this.memswKnown ??= this.fs.exists(path.join(dirs.memory, 'memory.memsw.limit_in_bytes'));
      const cgroup = new V1RunCgroup(name, dirs, this.fs, this.syncAttach, this.memswKnown);
      cgroup.setLimits(limits);
      return cgroup;
    } catch (err) {
      for (const c of CONTROLLERS) tryRmdir(this.fs, dirs[c]);
      throw new CgroupFailed(`cannot prepare cgroup ${name}: ${(err as Error).message}`, err);
    }
  }

  async close(): Promise<void> {
    for (const c of CONTROLLERS) tryRmdir(this.fs, this.instanceDirs[c]);
  }
}

class V1RunCgroup implements RunCgroup {
  private destroyed = false;

  /** The limits written, starting from the kernel's (none). */
  private limits: CgroupLimits = { memoryBytes: Infinity, pids: Infinity };

  constructor(
    readonly name: string,
    private readonly dirs: Record<Controller, string>,
    private readonly fs: CgroupFs,
    private readonly syncAttach: boolean,
    private readonly memsw: boolean,
  ) {}

  setLimits(limits: CgroupLimits): void {
    const mem = this.dirs.memory;
    if (limits.memoryBytes !== this.limits.memoryBytes) {
      // memory.memsw.limit_in_bytes may never be below memory.limit_in_bytes: raise it first,
      // lower it last.
      const order = limits.memoryBytes > this.limits.memoryBytes ? ['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes'] : ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes'];
      for (const file of order) if (this.memsw || file === 'memory.limit_in_bytes') this.fs.write(path.join(mem, file), String(limits.memoryBytes));
    }
    if (limits.pids !== this.limits.pids) this.fs.write(path.join(this.dirs.pids, 'pids.max'), String(limits.pids));
    this.limits = limits;
  }

  async attach(pid: number): Promise<void> {
    if (this.syncAttach) {
      for (const c of CONTROLLERS) this.fs.write(path.join(this.dirs[c], 'cgroup.procs'), String(pid));
      return;
    }
    await Promise.all(CONTROLLERS.map((c) => this.fs.writeAsync(path.join(this.dirs[c], 'cgroup.procs'), String(pid))));
  }

  cpuUsageUs(): number {
    return Math.round(Number(this.fs.read(path.join(this.dirs.cpuacct, 'cpuacct.usage')).trim()) / 1000);
  }

  usage(): CgroupUsage {
    const peak = Number(this.fs.read(path.join(this.dirs.memory, 'memory.max_usage_in_bytes')).trim());
    // memory.failcnt stays 0 after an OOM kill on this kernel; the oom_kill counter is reliable.
    const oom = /^oom_kill (\d+)$/m.exec(this.fs.read(path.join(this.dirs.memory, 'memory.oom_control')));
    return { cpuUsageUs: this.cpuUsageUs(), memoryPeakBytes: peak, oomKilled: oom !== null && Number(oom[1]) > 0 };
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all(CONTROLLERS.map((c) => removeV1(this.fs, this.dirs[c])));
  }
}

/**
 * Kills what is left and removes the directory. A run's processes share a pid namespace whose
 * init dies first, taking the rest with it; killing each listed pid again on every retry covers
 * a process that forked between the read and the kill (pids.max bounds how many there can be).
 */
function removeV1(fs: CgroupFs, dir: string): Promise<void> {
  return removeCgroup(fs, dir, () => cgroupProcs(fs, dir).forEach(killPid));
}

function tryRmdir(fs: CgroupFs, dir: string): void {
  try {
    fs.rmdir(dir);
  } catch {
    /* best effort on a path that may not exist */
  }
}
