import path from 'node:path';
import type { CgroupDriver, CgroupFs, CgroupLimits, CgroupUsage, RunCgroup } from './Cgroup.js';
import { cgroupProcs, killPid, removeCgroup } from './fs.js';
import { deadInstances, instanceDirName } from '../instance.js';
import { CgroupFailed } from '../errors.js';

const CONTROLLERS = ['memory', 'pids', 'cpu'];

/**
 * cgroup v2 (pure v2 hosts, Kubernetes nodes). The tree is `<base>/<root>/i-<pid>/<run>`, where
 * <base> is the cgroup this process starts in. v2 forbids processes in a cgroup that delegates
 * controllers to children, so the service first moves itself into the leaf `<base>/service`.
 */
export class V2CgroupDriver implements CgroupDriver {
  readonly version = 'v2' as const;
  private readonly rootDir: string;
  private readonly instanceDir: string;

  constructor(
    private readonly mount: string,
    /** This process's cgroup path relative to the mount, from /proc/self/cgroup ("0::/x"). */
    private readonly basePath: string,
    rootName: string,
    private readonly fs: CgroupFs,
    private readonly pid: number = process.pid,
    /** Move processes with a plain write (see fastCgroupMoves) instead of off the event loop. */
    private readonly syncAttach = false,
  ) {
    this.rootDir = path.join(mount, basePath, rootName);
    this.instanceDir = path.join(this.rootDir, instanceDirName(pid));
  }

  async init(): Promise<void> {
    const base = path.join(this.mount, this.basePath);
    try {
      const own = cgroupProcs(this.fs, base);
      if (own.length > 0) {
        const leaf = path.join(base, 'service');
        this.fs.mkdir(leaf);
        for (const pid of own) {
          try {
            this.fs.write(path.join(leaf, 'cgroup.procs'), String(pid));
          } catch {
            /* a process that exited meanwhile, or a kernel thread we may not move */
          }
        }
      }
      enableControllers(this.fs, base);
      this.fs.mkdir(this.rootDir);
      enableControllers(this.fs, this.rootDir);
      await this.sweepDead();
      this.fs.mkdir(this.instanceDir);
      enableControllers(this.fs, this.instanceDir);
    } catch (err) {
      if (err instanceof CgroupFailed) throw err;
      throw new CgroupFailed(`cannot prepare cgroup v2 tree at ${this.rootDir}: ${(err as Error).message}; the cgroup filesystem must be writable (root, or a privileged pod)`, err);
    }
  }

  private async sweepDead(): Promise<void> {
    for (const name of deadInstances(this.fs.list(this.rootDir), this.pid)) {
      const dir = path.join(this.rootDir, name);
      for (const run of this.fs.list(dir)) await killAndRemoveV2(this.fs, path.join(dir, run));
      await killAndRemoveV2(this.fs, dir);
    }
  }

  /** Which optional files a run cgroup has (kernel and swap dependent); read once. */
  private optional: { swap: boolean; oomGroup: boolean } | undefined;

  private created = 0;

  async create(label: string, limits: CgroupLimits): Promise<RunCgroup> {
    const name = `${label}-${++this.created}`;
    const dir = path.join(this.instanceDir, name);
    try {
      // Plain synchronous calls: each takes microseconds, less than a trip through the thread pool.
      this.fs.mkdir(dir);
      const swap = path.join(dir, 'memory.swap.max');
      const group = path.join(dir, 'memory.oom.group');
      this.optional ??= { swap: this.fs.exists(swap), oomGroup: this.fs.exists(group) };
      if (this.optional.swap) this.fs.write(swap, '0');
      // One OOM kill takes the whole run: a half-killed program would report a misleading verdict.
      if (this.optional.oomGroup) this.fs.write(group, '1');
      const cgroup = new V2RunCgroup(name, dir, this.fs, this.syncAttach);
      cgroup.setLimits(limits);
      return cgroup;
    } catch (err) {
      try {
        this.fs.rmdir(dir);
      } catch {
        /* best effort */
      }
      throw new CgroupFailed(`cannot prepare cgroup ${dir}: ${(err as Error).message}`, err);
    }
  }

  async close(): Promise<void> {
    try {
      this.fs.rmdir(this.instanceDir);
    } catch {
      /* best effort */
    }
  }
}

class V2RunCgroup implements RunCgroup {
  private destroyed = false;
  private readonly cpuStartUs: number;

  constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly fs: CgroupFs,
    private readonly syncAttach: boolean,
  ) {
    this.cpuStartUs = this.rawCpuUs();
  }

  /** The limits written, starting from the kernel's (none). */
  private limits: CgroupLimits = { memoryBytes: Infinity, pids: Infinity };

  setLimits(limits: CgroupLimits): void {
    if (limits.memoryBytes !== this.limits.memoryBytes) this.fs.write(path.join(this.dir, 'memory.max'), String(limits.memoryBytes));
    if (limits.pids !== this.limits.pids) this.fs.write(path.join(this.dir, 'pids.max'), String(limits.pids));
    this.limits = limits;
  }

  async attach(pid: number): Promise<void> {
    if (this.syncAttach) this.fs.write(path.join(this.dir, 'cgroup.procs'), String(pid));
    else await this.fs.writeAsync(path.join(this.dir, 'cgroup.procs'), String(pid));
  }

  private rawCpuUs(): number {
    const m = /^usage_usec (\d+)$/m.exec(this.fs.read(path.join(this.dir, 'cpu.stat')));
    return m ? Number(m[1]) : 0;
  }

  cpuUsageUs(): number {
    return this.rawCpuUs() - this.cpuStartUs;
  }

  usage(): CgroupUsage {
    const peakFile = path.join(this.dir, 'memory.peak');
    // memory.peak exists from kernel 5.19; before that only the current value can be read.
    const peak = Number(this.fs.read(this.fs.exists(peakFile) ? peakFile : path.join(this.dir, 'memory.current')).trim());
    const events = this.fs.read(path.join(this.dir, 'memory.events'));
    const oom = /^oom_kill (\d+)$/m.exec(events);
    return { cpuUsageUs: this.cpuUsageUs(), memoryPeakBytes: peak, oomKilled: oom !== null && Number(oom[1]) > 0 };
  }

  /**
   * Not on v2: memory.peak can only be reset for readers of the descriptor that reset it, and a
   * v2 run cgroup is one directory, so making a fresh one costs little.
   */
  recycle(): boolean {
    return false;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await killAndRemoveV2(this.fs, this.dir);
  }
}


function enableControllers(fs: CgroupFs, dir: string): void {
  const available = fs.read(path.join(dir, 'cgroup.controllers')).trim().split(/\s+/);
  const wanted = CONTROLLERS.filter((c) => available.includes(c));
  const missing = CONTROLLERS.filter((c) => !available.includes(c));
  if (missing.length > 0) throw new CgroupFailed(`cgroup ${dir} lacks the controllers ${missing.join(', ')}; enable them in the parent's cgroup.subtree_control`);
  fs.write(path.join(dir, 'cgroup.subtree_control'), wanted.map((c) => `+${c}`).join(' '));
}

/** cgroup.kill (kernel 5.14+) kills every process atomically, including ones forking meanwhile. */
export function killAndRemoveV2(fs: CgroupFs, dir: string): Promise<void> {
  const killFile = path.join(dir, 'cgroup.kill');
  return removeCgroup(fs, dir, () => {
    if (fs.exists(killFile)) fs.write(killFile, '1');
    else cgroupProcs(fs, dir).forEach(killPid);
  });
}
