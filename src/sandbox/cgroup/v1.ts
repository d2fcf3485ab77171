import path from 'node:path';
import type { CgroupDriver, CgroupFile, CgroupFs, CgroupLimits, CgroupUsage, RunCgroup } from './Cgroup.js';
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
    /** Tests raise it to leave a known amount charged; RECYCLE_MAX_CHARGED_BYTES otherwise. */
    private readonly recycleMaxChargedBytes = RECYCLE_MAX_CHARGED_BYTES,
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

  private created = 0;

  async create(label: string, limits: CgroupLimits): Promise<RunCgroup> {
    const name = `${label}-${++this.created}`;
    const dirs = Object.fromEntries(CONTROLLERS.map((c) => [c, path.join(this.instanceDirs[c], name)])) as Record<Controller, string>;
    try {
      // Plain synchronous calls: each takes microseconds, less than a trip through the thread pool.
      for (const c of CONTROLLERS) this.fs.mkdir(dirs[c]);
      // With swap accounting on, also forbid swap; without it the file is absent and there is no swap to use.
      this.memswKnown ??= this.fs.exists(path.join(dirs.memory, 'memory.memsw.limit_in_bytes'));
      const cgroup = new V1RunCgroup(name, dirs, this.fs, this.syncAttach, this.memswKnown, this.recycleMaxChargedBytes);
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

/**
 * Memory a finished run may leave charged to its cgroup (kernel objects, some freed only after
 * an RCU grace period, and page cache it brought in) for the cgroup to be used again. It counts
 * in the next run's peak and against its limit, like a page that run touched: the peak of a
 * run in a reused cgroup reads high by at most this much. A cgroup with more charged is removed
 * instead. (Taking it off the peak was tried: the kernel frees part of it during the next run,
 * and a small program's peak then read as low as 0.)
 */
export const RECYCLE_MAX_CHARGED_BYTES = 512 * 1024;

class V1RunCgroup implements RunCgroup {
  private destroyed = false;

  /** The limits written, starting from the kernel's (none). */
  private writtenMemoryBytes = Infinity;
  private pids = Infinity;
  /** The files read or written in every run, kept open for the cgroup's life (it may serve many runs). */
  private readonly files = new Map<string, CgroupFile>();
  /** The OOM kills earlier runs left counted (the counter only grows). */
  private oomKillsBefore = 0;

  constructor(
    readonly name: string,
    private readonly dirs: Record<Controller, string>,
    private readonly fs: CgroupFs,
    private readonly syncAttach: boolean,
    private readonly memsw: boolean,
    private readonly recycleMaxChargedBytes: number,
  ) {}

  setLimits(limits: CgroupLimits): void {
    const memoryBytes = limits.memoryBytes;
    if (memoryBytes !== this.writtenMemoryBytes) {
      // memory.memsw.limit_in_bytes may never be below memory.limit_in_bytes: raise it first,
      // lower it last.
      const order = memoryBytes > this.writtenMemoryBytes ? ['memory.memsw.limit_in_bytes', 'memory.limit_in_bytes'] : ['memory.limit_in_bytes', 'memory.memsw.limit_in_bytes'];
      for (const file of order) if (this.memsw || file === 'memory.limit_in_bytes') this.file('memory', file, 'r+').write(String(memoryBytes));
      this.writtenMemoryBytes = memoryBytes;
    }
    if (limits.pids !== this.pids) this.file('pids', 'pids.max', 'r+').write(String(limits.pids));
    this.pids = limits.pids;
  }

  async attach(pid: number): Promise<void> {
    if (this.syncAttach) {
      for (const c of CONTROLLERS) this.file(c, 'cgroup.procs', 'r+').write(String(pid));
      return;
    }
    await Promise.all(CONTROLLERS.map((c) => this.file(c, 'cgroup.procs', 'r+').writeAsync(String(pid))));
  }

  cpuUsageUs(): number {
    return Math.round(Number(this.file('cpuacct', 'cpuacct.usage', 'r+').read().trim()) / 1000);
  }

  usage(): CgroupUsage {
    const peak = Number(this.file('memory', 'memory.max_usage_in_bytes', 'r+').read().trim());
    return { cpuUsageUs: this.cpuUsageUs(), memoryPeakBytes: peak, oomKilled: this.oomKills() > this.oomKillsBefore };
  }

  /** memory.failcnt stays 0 after an OOM kill on this kernel; the oom_kill counter is reliable. */
  private oomKills(): number {
    const oom = /^oom_kill (\d+)$/m.exec(this.file('memory', 'memory.oom_control', 'r+').read());
    return oom ? Number(oom[1]) : 0;
  }

  private file(controller: Controller, name: string, mode: 'r' | 'r+'): CgroupFile {
    const key = `${controller}/${name}`;
    let f = this.files.get(key);
    if (!f) this.files.set(key, (f = this.fs.open(path.join(this.dirs[controller], name), mode)));
    return f;
  }

  recycle(): boolean {
    if (this.destroyed) return false;
    try {
      if (this.file('pids', 'cgroup.procs', 'r+').read().trim() !== '') return false;
      const charged = Number(this.file('memory', 'memory.usage_in_bytes', 'r').read().trim());
      // Not memory.force_empty: what is charged here is mostly page cache other runs share (a
      // compiler's files, first read by this run), and dropping it would make every later run
      // read it from disk again. Removed, the cgroup leaves those pages cached.
      if (charged > this.recycleMaxChargedBytes) return false;
      // Writing 0 restarts each counter: CPU time from zero, the peak from what is charged now.
      this.file('cpuacct', 'cpuacct.usage', 'r+').write('0');
      this.file('memory', 'memory.max_usage_in_bytes', 'r+').write('0');
      this.oomKillsBefore = this.oomKills();
      return true;
    } catch {
      return false;
    }
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const f of this.files.values()) f.close();
    this.files.clear();
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
