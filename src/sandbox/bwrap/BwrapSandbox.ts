import path from 'node:path';
import type { CgroupDriver } from '../cgroup/Cgroup.js';
import { BackgroundTasks } from '../background.js';
import type { SandboxHost } from '../host.js';
import type { RunOutcome, RunRequest, Sandbox } from '../Sandbox.js';
import { buildBwrapArgs } from './args.js';
import { BLOCK_FD, CONTROL_FD, INIT_STATUS_FD, SECCOMP_FD, STATUS_FD, execute } from './execution.js';

/** Open files per process inside a run. */
export const NOFILE_LIMIT = 1024;

/**
 * The cold sandbox: a whole new bubblewrap per run, started as the slot's unprivileged uid, in
 * fresh namespaces, with a read-only view of the system, a private /box and /tmp, no network,
 * and its own cgroup. Simple and independent of any earlier run; see ZygoteSandbox for the
 * faster warm variant.
 */
export class BwrapSandbox implements Sandbox {
  private readonly cleanup: BackgroundTasks;

  constructor(
    private readonly host: SandboxHost,
    private readonly cgroups: CgroupDriver,
    onError: (err: unknown) => void = () => undefined,
  ) {
    this.cleanup = new BackgroundTasks(onError);
  }

  async close(): Promise<void> {
    await this.cleanup.drain();
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    const { limits } = request;
    const { host } = this;
    const cgroup = await this.cgroups.create(`run-slot${request.slot.index}`, {
      memoryBytes: limits.memoryKb * 1024,
      // The sandbox's own init and the helper are two processes the program did not ask for.
      pids: limits.processes + 2,
    });
    try {
      const args = buildBwrapArgs({
        layout: host.layout,
        boxDir: request.boxDir,
        helperPath: host.helperPath,
        tmpSizeBytes: host.tmpSizeKb * 1024,
        env: request.env,
        mounts: [
          { source: path.join(host.etcDir, 'passwd'), target: '/etc/passwd', writable: false },
          { source: path.join(host.etcDir, 'group'), target: '/etc/group', writable: false },
          ...(request.mounts ?? []),
        ],
        command: [
          String(INIT_STATUS_FD),
          String(CONTROL_FD),
          // RLIMIT_CPU is only a backstop a second past the limit the service enforces.
          String(Math.ceil(limits.cpuTimeMs / 1000) + 1),
          String(limits.fileSizeKb * 1024),
          String(limits.stackKb * 1024),
          String(NOFILE_LIMIT),
          '--',
          ...request.argv,
        ],
        statusFd: STATUS_FD,
        blockFd: BLOCK_FD,
        seccompFd: SECCOMP_FD,
      });
      return await execute({
        bwrapPath: host.bwrapPath,
        args,
        uid: request.slot.uid,
        gid: request.slot.gid,
        stdin: request.stdin,
        interactive: request.interactive,
        seccompFilter: host.seccompFilter,
        limits,
        cgroup,
      });
    } finally {
      // Every process of the run is dead or dying; removing its cgroup can happen after the result.
      this.cleanup.track(cgroup.destroy());
    }
  }
}
