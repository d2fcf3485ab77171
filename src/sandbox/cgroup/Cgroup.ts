/**
 * One cgroup per run, whatever the host's hierarchy. The v1 adapter spreads a run over several
 * controller trees; the v2 adapter uses one directory. Callers see only this interface.
 */
export interface CgroupLimits {
  readonly memoryBytes: number;
  readonly pids: number;
}

export interface CgroupUsage {
  readonly cpuUsageUs: number;
  readonly memoryPeakBytes: number;
  readonly oomKilled: boolean;
}

export interface RunCgroup {
  readonly name: string;
  /**
   * Moves a process in. Must happen before the payload allocates: charges never follow a move.
   * Asynchronous because a move can wait out an RCU grace period (milliseconds) in the kernel,
   * which must not stall every other run on the event loop.
   */
  attach(pid: number): Promise<void>;
  /** Changes the memory and process limits (before the run's program starts); no-op if equal. */
  setLimits(limits: CgroupLimits): void;
  /** CPU used by every process that was ever in the cgroup, in microseconds. Cheap: polled. */
  cpuUsageUs(): number;
  usage(): CgroupUsage;
  /** Kills every process in the cgroup, waits until it is empty, and removes it. Idempotent. */
  destroy(): Promise<void>;
  /**
   * Makes a finished run's cgroup ready for another run of the same slot: CPU time from zero,
   * the peak from what is still charged (a bounded amount); false if it cannot be (a process is
   * left, too much memory is still charged to it, or the adapter does not recycle), and then the
   * caller destroys it.
   */
  recycle(): boolean;
}

export interface CgroupDriver {
  readonly version: 'v1' | 'v2';
  /** Creates this process's own subtree and removes what dead instances left behind. */
  init(): Promise<void>;
  /**
   * A new run cgroup named `<label>-<n>`: the driver numbers them, so sandboxes sharing it (warm
   * and cold ones, say) never get the same directory.
   */
  create(label: string, limits: CgroupLimits): Promise<RunCgroup>;
  /** Removes this process's subtree (every run cgroup must already be destroyed). */
  close(): Promise<void>;
}

/**
 * One cgroup file kept open: a read or write is then a single pread or pwrite, where a path costs
 * an open, a lookup in the cgroup file system and a close every time (for a file read or written
 * several times in every run).
 */
export interface CgroupFile {
  read(): string;
  write(value: string): void;
  writeAsync(value: string): Promise<void>;
  close(): void;
}

/** The few filesystem calls the drivers make, so unit tests can run them on a fixture tree. */
export interface CgroupFs {
  /** `r` for a read-only file (the kernel refuses a write open), `r+` for one read and written. */
  open(file: string, mode: 'r' | 'r+'): CgroupFile;
  read(file: string): string;
  write(file: string, value: string): void;
  /** Same as write, off the event loop: for the per-run path. */
  writeAsync(file: string, value: string): Promise<void>;
  exists(file: string): boolean;
  mkdir(dir: string): void;
  rmdir(dir: string): void;
  rmdirAsync(dir: string): Promise<void>;
  list(dir: string): string[];
}
