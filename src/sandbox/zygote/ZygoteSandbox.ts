import fs from 'node:fs';
import path from 'node:path';
import type net from 'node:net';
import { NOFILE_LIMIT } from '../bwrap/BwrapSandbox.js';
import type { CgroupDriver, CgroupLimits, RunCgroup } from '../cgroup/Cgroup.js';
import { killPid } from '../cgroup/fs.js';
import { SandboxSetupFailed } from '../errors.js';
import { makeSearchableDir, type SandboxHost } from '../host.js';
import { deadInstances, instanceDirName } from '../instance.js';
import type { LimitExceeded, Mount, RunOutcome, RunRequest, Sandbox, Slot } from '../Sandbox.js';
import { BackgroundTasks } from '../background.js';
import { LimitWatch, OutputCollector, buildOutcome, signalName, signalNumber } from '../watch.js';
import type { ZygoteEvent } from './protocol.js';
import { STREAMS_PER_RUN, Zygote, type RunListener, type Spare, type StreamKind } from './Zygote.js';

export interface ZygoteSandboxOptions {
  readonly host: SandboxHost;
  readonly cgroups: CgroupDriver;
  /** A slot's box directory (every box of the slot is a direct child of it). */
  readonly slotBoxesDir: (slot: Slot) => string;
  /** A slot's cache directory, created on demand. */
  readonly slotCacheDir: (slot: Slot) => string;
  readonly onLog: (slot: Slot, line: string) => void;
  /** A cleanup after a run failed (a cgroup that would not go away). */
  readonly onError: (err: unknown) => void;
}

/** After the run's init is reaped, how long to wait for a stdio connection still in flight. */
const LATE_STREAM_GRACE_MS = 2000;
/** How long a finished run's init may take to be reaped before its cgroup is killed anyway. */
const REAP_WAIT_MS = 5000;
/**
 * Finished runs' cgroups kept per slot for its next runs (where the adapter can reset one):
 * a slot has at most one run going and one spare waiting, so two are always enough.
 */
const RECYCLED_PER_SLOT = 2;

/**
 * The warm sandbox: each slot keeps a zygote whose user, network, ipc and uts namespaces and
 * read-only system view are built once; a run only clones fresh pid, mount and ipc namespaces
 * with its own /box, /tmp, /dev/shm and /proc, then drops every capability, installs seccomp
 * and executes. The isolation a program sees is the cold sandbox's; the cost is a clone and a
 * few mounts instead of a whole bubblewrap.
 */
export class ZygoteSandbox implements Sandbox {
  private readonly zygotes = new Map<number, Promise<Zygote>>();
  /** Per spare (slot and id), its run's cgroup, made and entered ahead of the request. */
  private readonly prepared = new Map<string, Promise<RunCgroup>>();
  /** Per slot, the limits of its last run: most runs of a slot have the same. */
  private readonly lastLimits = new Map<number, CgroupLimits>();
  /** Per slot, cgroups of its finished runs, reset and empty, for the next spares. */
  private readonly recycled = new Map<number, RunCgroup[]>();
  private closed = false;
  private readonly cleanup: BackgroundTasks;

  private readonly ioRoot: string;

  constructor(private readonly opts: ZygoteSandboxOptions) {
    this.cleanup = new BackgroundTasks((err) => opts.onError(err));
    const ioParent = path.join(opts.host.sandboxDir, 'io');
    makeSearchableDir(ioParent);
    // Sockets of a dead instance are all that can be left here; its zygotes died with it.
    for (const name of deadInstances(fs.readdirSync(ioParent))) fs.rmSync(path.join(ioParent, name), { recursive: true, force: true });
    this.ioRoot = path.join(ioParent, instanceDirName(process.pid));
    makeSearchableDir(this.ioRoot);
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    const { slot, limits } = request;
    const zygote = await this.zygoteFor(slot);
    const cgroupLimits: CgroupLimits = {
      memoryBytes: limits.memoryKb * 1024,
      // The run's init is one process the program did not ask for.
      pids: limits.processes + 1,
    };
    this.lastLimits.set(slot.index, cgroupLimits);
    const spare = await zygote.nextSpare();
    const cgroup = await this.cgroupFor(slot, spare, cgroupLimits);
    let reaped!: () => void;
    const gone = new Promise<void>((resolve) => (reaped = resolve));
    try {
      return await this.execute(zygote, spare, request, cgroup, reaped);
    } finally {
      // The result may be out while the run's init is still exiting (every other process of the
      // run is gone by then); its cgroup goes once the zygote has reaped it, off the result's path.
      const fallback = setTimeout(reaped, REAP_WAIT_MS);
      this.cleanup.track(
        gone.then(() => {
          clearTimeout(fallback);
          zygote.forget(spare.id);
          return this.retire(slot, cgroup);
        }),
      );
    }
  }

  /**
   * The spare's cgroup, with the run's limits. Usually made and entered while the slot's previous
   * run was still going (see prepare); the limits are rewritten only if this run's differ.
   */
  private async cgroupFor(slot: Slot, spare: Spare, limits: CgroupLimits): Promise<RunCgroup> {
    const key = spareKey(slot, spare.id);
    const prepared = this.prepared.get(key);
    this.prepared.delete(key);
    let cgroup: RunCgroup;
    try {
      cgroup = await (prepared ?? this.prepare(slot, spare, limits));
    } catch (err) {
      // The spare is unusable without its cgroup: the next run gets a fresh one.
      killPid(spare.pid);
      throw new SandboxSetupFailed(`cannot move the run into its cgroup: ${(err as Error).message}`, err);
    }
    try {
      cgroup.setLimits(limits);
    } catch (err) {
      killPid(spare.pid);
      this.cleanup.track(cgroup.destroy());
      throw new SandboxSetupFailed(`cannot set the run's limits: ${(err as Error).message}`, err);
    }
    return cgroup;
  }

  /**
   * A cgroup for the spare's run, the spare moved into it before it has read any request: one
   * of the slot's finished runs' if there is one (a reset costs a few writes where a new one
   * costs a directory and its removal in every hierarchy), else a new one.
   */
  private async prepare(slot: Slot, spare: Spare, limits: CgroupLimits): Promise<RunCgroup> {
    // A reused one gets the run's limits in cgroupFor, like every prepared cgroup.
    const cgroup = this.reusable(slot) ?? (await this.opts.cgroups.create(`run-slot${slot.index}`, limits));
    try {
      await cgroup.attach(spare.pid);
    } catch (err) {
      this.cleanup.track(cgroup.destroy());
      throw err;
    }
    return cgroup;
  }

  /**
   * One of the slot's finished runs' cgroups, reset for the next. Reset now rather than when its
   * run ended: a run or two later, what the kernel frees after a grace period is gone, and less
   * of the last run is left counted in the next.
   */
  private reusable(slot: Slot): RunCgroup | null {
    const kept = this.recycled.get(slot.index);
    for (let cgroup = kept?.pop(); cgroup; cgroup = kept?.pop()) {
      if (cgroup.recycle()) return cgroup;
      this.cleanup.track(cgroup.destroy());
    }
    return null;
  }

  /** A finished run's cgroup, every process of it gone: kept for the slot's next runs, or removed. */
  private retire(slot: Slot, cgroup: RunCgroup): Promise<void> {
    let kept = this.recycled.get(slot.index);
    if (!kept) this.recycled.set(slot.index, (kept = []));
    if (this.closed || kept.length >= RECYCLED_PER_SLOT) return cgroup.destroy();
    kept.push(cgroup);
    return Promise.resolve();
  }

  /** A spare announced itself: its cgroup is made now, while the slot may still be busy. */
  private onSpare(slot: Slot, spare: Spare): void {
    const limits = this.lastLimits.get(slot.index);
    if (!limits || this.closed) return;
    const ready = this.prepare(slot, spare, limits);
    ready.catch(() => undefined);
    this.prepared.set(spareKey(slot, spare.id), ready);
  }

  /** A spare died unused: its prepared cgroup goes too. */
  private onSpareGone(slot: Slot, id: string): void {
    const key = spareKey(slot, id);
    const ready = this.prepared.get(key);
    if (!ready) return;
    this.prepared.delete(key);
    this.cleanup.track(ready.then((cgroup) => cgroup.destroy(), () => undefined));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cleanup.drain();
    const all = await Promise.allSettled([...this.zygotes.values()]);
    await Promise.all(all.flatMap((r) => (r.status === 'fulfilled' ? [r.value.stop()] : [])));
    this.zygotes.clear();
    // Spares die with their zygote; the cgroups prepared for them are all that is left (their
    // removal was queued as each zygote exited, or is done here).
    const prepared = [...this.prepared.values()];
    this.prepared.clear();
    await Promise.all(prepared.map((ready) => ready.then((cgroup) => cgroup.destroy(), () => undefined)));
    await this.cleanup.drain();
    const recycled = [...this.recycled.values()].flat();
    this.recycled.clear();
    await Promise.all(recycled.map((cgroup) => cgroup.destroy()));
    fs.rmSync(this.ioRoot, { recursive: true, force: true });
  }

  private async zygoteFor(slot: Slot): Promise<Zygote> {
    if (this.closed) throw new SandboxSetupFailed('the sandbox is shutting down');
    const existing = this.zygotes.get(slot.index);
    if (existing) {
      const z = await existing.catch(() => null);
      if (z?.alive) return z;
      this.zygotes.delete(slot.index);
    }
    const started = Zygote.start({
      host: this.opts.host,
      slot,
      boxesDir: this.opts.slotBoxesDir(slot),
      cacheDir: this.opts.slotCacheDir(slot),
      ioDir: path.join(this.ioRoot, `slot-${slot.index}`),
      onLog: (line) => this.opts.onLog(slot, line),
      onSpare: (spare) => this.onSpare(slot, spare),
      onSpareGone: (id) => this.onSpareGone(slot, id),
    });
    this.zygotes.set(slot.index, started);
    return started;
  }

  /** Host paths of a request (its box, the slot's cache) as the zygote sees them. */
  private translate(request: RunRequest, mounts: readonly Mount[]): string[] {
    const out: string[] = [String(mounts.length)];
    const cacheDir = this.opts.slotCacheDir(request.slot);
    for (const m of mounts) {
      let source: string;
      if (m.source.startsWith(`${request.boxDir}/`)) source = `/.verdict/boxes/${path.basename(request.boxDir)}/${m.source.slice(request.boxDir.length + 1)}`;
      else if (m.source.startsWith(`${cacheDir}/`)) source = `/.verdict/cache/${m.source.slice(cacheDir.length + 1)}`;
      else throw new SandboxSetupFailed(`mount source ${m.source} is neither in the run's box nor in the slot's cache`);
      if (!m.target.startsWith('/cache/')) throw new SandboxSetupFailed(`mount target ${m.target} must be under /cache`);
      out.push(source, m.target, m.writable ? '1' : '0');
    }
    return out;
  }

  private execute(zygote: Zygote, spare: Spare, request: RunRequest, cgroup: RunCgroup, reaped: () => void): Promise<RunOutcome> {
    const { limits } = request;
    const boxesDir = this.opts.slotBoxesDir(request.slot);
    const env = Object.entries(request.env).map(([k, v]) => `${k}=${v}`);
    // A batch run's stdin is known in full: the run init opens it as a file (or /dev/null) rather
    // than taking a connection for it. Only a live (interactive) run streams it.
    let stdinField = '';
    let stdinFile: string | null = null;
    try {
      if (path.dirname(request.boxDir) !== boxesDir) throw new SandboxSetupFailed(`box ${request.boxDir} is not in ${boxesDir}`);
      if (!request.interactive) {
        if (request.stdin.length === 0) {
          stdinField = '-';
        } else {
          stdinField = `.stdin-${spare.id}`;
          stdinFile = path.join(boxesDir, stdinField);
          // Root's, readable by the slot's group only: the run init reads it; no host user can, and
          // the program, which only gets the open descriptor, cannot change its mode.
          fs.writeFileSync(stdinFile, request.stdin, { flag: 'wx', mode: 0o640 });
          fs.chownSync(stdinFile, 0, request.slot.gid);
        }
      }
    } catch (err) {
      // The spare never gets its request: it goes now (the zygote makes the next one once it is
      // reaped) instead of holding the slot until the reap fallback.
      killPid(spare.pid);
      if (stdinFile) fs.rmSync(stdinFile, { force: true });
      return Promise.reject(err);
    }
    const expectedStreams = stdinField === '' ? STREAMS_PER_RUN : STREAMS_PER_RUN - 1;
    const fields = [
      path.basename(request.boxDir),
      String(Math.ceil(limits.cpuTimeMs / 1000) + 1),
      String(limits.fileSizeKb * 1024),
      String(limits.stackKb * 1024),
      String(NOFILE_LIMIT),
      stdinField,
      String(request.argv.length),
      ...request.argv,
      String(env.length),
      ...env,
      ...this.translate(request, request.mounts ?? []),
    ];

    return new Promise<RunOutcome>((resolve, reject) => {
      const initPid = spare.pid;
      let status: { exitCode: number | null; signal: number | null; alone: boolean } | null = null;
      let setupError: string | null = null;
      let stopReason: LimitExceeded | null = null;
      let reapedAt = 0;
      let streamsSeen = 0;
      let streamsOpen = 0;
      let settled = false;
      let lateTimer: NodeJS.Timeout | undefined;

      const kill = (reason: LimitExceeded | null): void => {
        if (reason && stopReason === null) stopReason = reason;
        // The run's init is pid 1 of its namespace: killing it kills every process in there.
        killPid(initPid);
      };
      const watch = new LimitWatch(limits, cgroup, kill);
      const live = request.interactive;
      const output = new OutputCollector(limits.outputKb * 1024, () => kill('output'), live && ((stream, chunk) => live.onOutput(stream, chunk)));

      const finish = (): void => {
        if (settled) return;
        settled = true;
        // The run init opened it long before any status or reap; the file is not needed any more.
        if (stdinFile) fs.rmSync(stdinFile, { force: true });
        clearTimeout(lateTimer);
        const wallTimeMs = watch.elapsedMs();
        watch.stop();
        if (setupError !== null || (status === null && stopReason === null)) {
          reject(new SandboxSetupFailed(setupError ?? `the run ended without a status: ${output.result().stderr.toString('utf8').slice(0, 300)}`));
          return;
        }
        const exitCode = status?.exitCode ?? null;
        const signal = status?.signal != null ? signalName(status.signal) : status === null ? 'SIGKILL' : null;
        try {
          resolve(buildOutcome({ exitCode, signal, stopReason, wallTimeMs, output, cgroup, limits }));
        } catch (e) {
          reject(e);
        }
      };

      /**
       * Done once every stdio stream is drained and the run is over: its init reaped, or its
       * program's status reported by an init with no process of the run left beside it (it
       * only exits after that). Not waiting for the reap (the kernel tearing down the run's
       * namespaces) takes about half a millisecond off every run.
       */
      const maybeFinish = (): void => {
        if (streamsOpen > 0) return;
        if (reapedAt === 0) {
          if (status === null || !status.alone || streamsSeen < expectedStreams) return;
          return finish();
        }
        // A run that reported its status had connected every stream before it ran anything.
        if (status !== null && streamsSeen < expectedStreams) {
          lateTimer ??= setTimeout(finish, LATE_STREAM_GRACE_MS);
          return;
        }
        finish();
      };

      const listener: RunListener = {
        event(e: ZygoteEvent) {
          switch (e.kind) {
            case 'status':
              status = { exitCode: e.exitCode, signal: e.signal, alone: e.alone };
              maybeFinish();
              return;
            case 'error':
              setupError = `the run could not be set up: ${e.message}`;
              // The init may still be waiting (its request was refused): it must not outlive this.
              kill(null);
              return;
            case 'reaped':
              reapedAt = performance.now();
              reaped();
              maybeFinish();
              return;
          }
        },
        stream(kind: StreamKind, socket: net.Socket) {
          streamsSeen++;
          streamsOpen++;
          socket.on('close', () => {
            streamsOpen--;
            maybeFinish();
          });
          if (kind === 'i') {
            if (live) {
              // A program that exits without reading all its input must not keep the source piped.
              socket.on('close', () => live.stdin.unpipe(socket));
              live.stdin.pipe(socket);
            } else {
              socket.end(request.stdin);
            }
            return () => undefined;
          }
          return kind === 'o' ? output.stdout : output.stderr;
        },
        lost(reason: string) {
          setupError ??= status === null && stopReason === null ? reason : null;
          reapedAt = performance.now();
          reaped();
          maybeFinish();
        },
      };
      try {
        zygote.run(spare.id, fields, listener);
        watch.start();
        live?.onStart({
          signal: (name) => {
            const signo = signalNumber(name);
            if (!settled && signo !== null) zygote.signal(spare.id, signo);
          },
        });
      } catch (err) {
        kill(null);
        if (stdinFile) fs.rmSync(stdinFile, { force: true });
        reject(err);
      }
    });
  }
}

function spareKey(slot: Slot, id: string): string {
  return `${slot.index}:${id}`;
}
