import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CgroupDriver } from '../cgroup/Cgroup.js';
import type { RunOutcome, RunRequest, Sandbox } from '../Sandbox.js';
import { SandboxUnavailable } from '../errors.js';
import { buildBwrapArgs, SANDBOX_UID, type HostLayout } from './args.js';
import { execute, INIT_STATUS_FD, STATUS_FD, BLOCK_FD, SECCOMP_FD } from './execution.js';
import { buildSeccompFilter } from '../seccomp/index.js';
import { detectHostLayout } from './hostLayout.js';

export interface BwrapSandboxOptions {
  /** Root-owned directory for the helper and the sandbox's /etc files. */
  readonly sandboxDir: string;
  /** The compiled verdict-init helper shipped with the build. */
  readonly helperSource: string;
  readonly tmpSizeKb: number;
  readonly cgroups: CgroupDriver;
}

/** Open files per process inside a run. */
const NOFILE_LIMIT = 1024;

const BWRAP_CANDIDATES = ['/usr/bin/bwrap', '/usr/local/bin/bwrap'];

/**
 * The sandbox: bubblewrap started as an unprivileged per-slot uid, in fresh namespaces, with a
 * read-only view of the system, a private /box and /tmp, no network, and its own cgroup.
 */
export class BwrapSandbox implements Sandbox {
  private runSeq = 0;

  private constructor(
    private readonly opts: BwrapSandboxOptions,
    private readonly bwrapPath: string,
    private readonly helperPath: string,
    private readonly etcDir: string,
    private readonly layout: HostLayout,
    private readonly seccompFilter: Buffer,
  ) {}

  /** Checks the host and lays out the helper and /etc files once, at start. */
  static prepare(opts: BwrapSandboxOptions): BwrapSandbox {
    if (process.getuid?.() !== 0) {
      throw new SandboxUnavailable('Verdict must start as root: it creates cgroups and starts each sandbox as an unprivileged per-slot uid');
    }
    const bwrapPath = BWRAP_CANDIDATES.find((p) => fs.existsSync(p));
    if (!bwrapPath) throw new SandboxUnavailable('bubblewrap (bwrap) is not installed; run `npm start` or `apt-get install bubblewrap`');
    if (!fs.existsSync(opts.helperSource)) {
      throw new SandboxUnavailable(`the sandbox helper ${opts.helperSource} is missing; run \`npm run build\``);
    }
    makeSearchableDir(opts.sandboxDir);
    const binDir = path.join(opts.sandboxDir, 'bin');
    makeSearchableDir(binDir);
    // Copied out of the build tree: the slot uids must be able to read it wherever Verdict lives.
    const helperPath = path.join(binDir, 'verdict-init');
    const tmpHelper = `${helperPath}.${process.pid}`;
    fs.copyFileSync(opts.helperSource, tmpHelper);
    fs.chmodSync(tmpHelper, 0o755);
    fs.renameSync(tmpHelper, helperPath);
    const etcDir = path.join(opts.sandboxDir, 'etc');
    makeSearchableDir(etcDir);
    writeIfChanged(path.join(etcDir, 'passwd'), `root:x:0:0:root:/root:/usr/sbin/nologin\nbox:x:${SANDBOX_UID}:${SANDBOX_UID}:box:/box:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
    writeIfChanged(path.join(etcDir, 'group'), `root:x:0:\nbox:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`);
    return new BwrapSandbox(opts, bwrapPath, helperPath, etcDir, detectHostLayout(), buildSeccompFilter());
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    const { limits } = request;
    const cgroup = this.opts.cgroups.create(`run-${++this.runSeq}-${request.slot.index}`, {
      memoryBytes: limits.memoryKb * 1024,
      // The sandbox's own init and the helper are two processes the program did not ask for.
      pids: limits.processes + 2,
    });
    try {
      const args = buildBwrapArgs({
        layout: this.layout,
        boxDir: request.boxDir,
        helperPath: this.helperPath,
        tmpSizeBytes: this.opts.tmpSizeKb * 1024,
        env: request.env,
        mounts: [
          { source: path.join(this.etcDir, 'passwd'), target: '/etc/passwd', writable: false },
          { source: path.join(this.etcDir, 'group'), target: '/etc/group', writable: false },
          ...(request.mounts ?? []),
        ],
        command: [
          String(INIT_STATUS_FD),
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
        bwrapPath: this.bwrapPath,
        args,
        uid: request.slot.uid,
        gid: request.slot.gid,
        stdin: request.stdin,
        seccompFilter: this.seccompFilter,
        limits,
        cgroup,
        cores: os.availableParallelism(),
      });
    } finally {
      await cgroup.destroy();
    }
  }
}

/** Root-owned, 0711: slot uids may pass through to their own box but not list others. */
export function makeSearchableDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  fs.chmodSync(dir, 0o711);
}

function writeIfChanged(file: string, content: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === content) return;
  } catch {
    /* absent */
  }
  fs.writeFileSync(file, content, { mode: 0o644 });
}
