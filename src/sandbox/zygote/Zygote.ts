import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { SANDBOX_UID } from '../bwrap/args.js';
import { SandboxSetupFailed } from '../errors.js';
import { makeSearchableDir, type SandboxHost } from '../host.js';
import type { Slot } from '../Sandbox.js';
import { encodeCommand, parseEvent, type ZygoteEvent } from './protocol.js';

/** Callbacks of one run, fed by the zygote's events and the run's stdio connections. */
export interface RunListener {
  event(e: ZygoteEvent): void;
  /** A stdio connection of the run arrived (stdin, stdout or stderr); returns where its data goes. */
  stream(kind: StreamKind, socket: net.Socket): (chunk: Buffer) => void;
  /** The zygote died: the run is gone with it. */
  lost(reason: string): void;
}

/** A pre-started run init, set up and blocked until a request names it. */
export interface Spare {
  /** The id of the run it will carry. */
  readonly id: string;
  /** Its pid on the host: what the service moves into the run's cgroup and kills to stop it. */
  readonly pid: number;
}

export interface ZygoteOptions {
  readonly host: SandboxHost;
  readonly slot: Slot;
  /** Host directory holding the slot's boxes (bound at /.verdict/boxes). */
  readonly boxesDir: string;
  /** Host directory of the slot's caches (bound at /.verdict/cache). */
  readonly cacheDir: string;
  /** Host directory for the slot's stdio socket (bound at /.verdict/io). */
  readonly ioDir: string;
  readonly onLog: (line: string) => void;
  /** A spare announced itself: the moment to prepare its run's cgroup, ahead of the request. */
  readonly onSpare?: (spare: Spare) => void;
  /** A spare died (or the zygote with it) before it carried a run. */
  readonly onSpareGone?: (id: string) => void;
}

const HEADER_MAX_BYTES = 64;

export type StreamKind = 'i' | 'o' | 'e';
/** A live run connects stdin, stdout and stderr, in that order; a batch run only the last two (its stdin is a file). */
export const STREAMS_PER_RUN = 3;
const READY_TIMEOUT_MS = 15_000;
/** How long a run waits for a spare before asking again, and before giving up. */
const SPARE_NUDGE_MS = 2_000;
const SPARE_TIMEOUT_MS = 15_000;

/**
 * One slot's long-lived zygote: a bwrap sandbox (user, network, ipc, uts and cgroup namespaces)
 * running verdict-zygote, plus the unix socket its runs connect their stdin/stdout/stderr to.
 * Only the slot's uid may connect (the socket is 0600), and runs detach it before the program.
 */
export class Zygote {
  private readonly listeners = new Map<string, RunListener>();
  private exited = false;
  /** The spare announced and not yet taken. */
  private announced: Spare | null = null;
  /** Whether the zygote is making a spare we have not heard of yet. */
  private spareExpected = true;
  private spareWaiter: { resolve: (s: Spare) => void; reject: (e: Error) => void } | null = null;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly server: net.Server,
    private readonly ioDir: string,
    private readonly opts: ZygoteOptions,
  ) {}

  static async start(opts: ZygoteOptions): Promise<Zygote> {
    const { host, slot } = opts;
    makeSearchableDir(path.dirname(opts.ioDir));
    fs.mkdirSync(opts.ioDir, { recursive: true, mode: 0o700 });
    fs.chownSync(opts.ioDir, slot.uid, slot.gid);
    const socketPath = path.join(opts.ioDir, 'io.sock');
    fs.rmSync(socketPath, { force: true });
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    fs.chownSync(socketPath, slot.uid, slot.gid);
    fs.chmodSync(socketPath, 0o600);

    const args = [
      '--unshare-user', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup',
      '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--hostname', 'box',
      '--die-with-parent', '--new-session',
      // Capabilities only inside the zygote's own user namespace: it needs them to build each
      // run's namespaces and mounts; every run drops all of them before the program starts.
      '--cap-add', 'ALL', '--clearenv',
    ];
    for (const link of host.layout.symlinks) args.push('--symlink', link.target, link.path);
    for (const p of host.layout.readOnly) args.push('--ro-bind', p, p);
    args.push(
      '--proc', '/proc', '--dev', '/dev', '--dir', '/tmp', '--dir', '/box', '--dir', '/cache',
      // Mount points every run covers with its own filesystem (see verdict-zygote.c).
      '--dir', '/dev/shm',
      '--ro-bind', path.join(host.etcDir, 'passwd'), '/etc/passwd',
      '--ro-bind', path.join(host.etcDir, 'group'), '/etc/group',
      '--tmpfs', '/.verdict',
      '--ro-bind', host.zygotePath, '/.verdict/zygote',
      '--bind', opts.boxesDir, '/.verdict/boxes',
      '--bind', opts.cacheDir, '/.verdict/cache',
      '--bind', opts.ioDir, '/.verdict/io',
      // The root tmpfs is shared by every run of the slot: read-only, so no run can plant
      // anything (an /etc/ld.so.preload, say) for the next.
      '--remount-ro', '/',
      '--chdir', '/', '--', '/.verdict/zygote', String(host.tmpSizeKb * 1024),
    );
    const proc = spawn(host.bwrapPath, args, { uid: slot.uid, gid: slot.gid, env: {}, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const zygote = new Zygote(proc, server, opts.ioDir, opts);
    server.on('connection', (socket) => zygote.accept(socket));
    (proc.stdio[3] as Writable).on('error', () => undefined);
    (proc.stdio[3] as Writable).end(host.seccompFilter);
    proc.stdin!.on('error', () => undefined);
    readline.createInterface({ input: proc.stderr! }).on('line', opts.onLog);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new SandboxSetupFailed(`the zygote of slot ${slot.index} did not start in ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      eachLine(proc.stdout!, (line) => {
        const e = parseEvent(line);
        if (!e) return;
        if (e.kind === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (e.kind === 'spare') {
          zygote.spareArrived({ id: e.run, pid: e.pid });
        } else {
          const listener = zygote.listeners.get(e.run);
          if (listener) listener.event(e);
          else zygote.spareEvent(e);
        }
      });
      proc.on('exit', (code, signal) => {
        clearTimeout(timer);
        zygote.exited = true;
        const reason = `the zygote of slot ${slot.index} exited (${code ?? signal})`;
        for (const l of zygote.listeners.values()) l.lost(reason);
        zygote.listeners.clear();
        zygote.spareWaiter?.reject(new SandboxSetupFailed(reason));
        zygote.spareWaiter = null;
        if (zygote.announced) opts.onSpareGone?.(zygote.announced.id);
        zygote.announced = null;
        server.close();
        reject(new SandboxSetupFailed(reason));
      });
    });
    try {
      await ready;
    } catch (err) {
      await zygote.stop();
      throw err;
    }
    return zygote;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /**
   * The next spare, once it has announced itself. One caller at a time (a slot runs one thing
   * at a time). The zygote makes a new spare after every run on its own; it is asked for one
   * only when none is on its way (the last one died, or could not be made).
   */
  nextSpare(): Promise<Spare> {
    if (this.exited) return Promise.reject(new SandboxSetupFailed('the zygote has exited'));
    if (this.announced) {
      const spare = this.announced;
      this.announced = null;
      return Promise.resolve(spare);
    }
    if (this.spareWaiter) return Promise.reject(new SandboxSetupFailed('another run of this slot is already waiting for a spare'));
    if (!this.spareExpected) this.askForSpare();
    return new Promise<Spare>((resolve, reject) => {
      const nudge = setInterval(() => this.askForSpare(), SPARE_NUDGE_MS);
      const timeout = setTimeout(() => fail(new SandboxSetupFailed(`no run init was ready within ${SPARE_TIMEOUT_MS} ms`)), SPARE_TIMEOUT_MS);
      const done = (): void => {
        clearInterval(nudge);
        clearTimeout(timeout);
        this.spareWaiter = null;
      };
      const fail = (err: Error): void => {
        done();
        reject(err);
      };
      this.spareWaiter = {
        resolve: (spare) => {
          done();
          resolve(spare);
        },
        reject: fail,
      };
    });
  }

  /** Starts a run on the spare `id` (already in the run's cgroup); the listener hears its end. */
  run(id: string, fields: readonly string[], listener: RunListener): void {
    if (this.exited) throw new SandboxSetupFailed('the zygote has exited');
    this.listeners.set(id, listener);
    // The zygote makes the next spare as soon as this one is handed its request.
    this.spareExpected = true;
    this.proc.stdin!.write(encodeCommand(['run', id, ...fields]));
  }

  /** Asks the zygote to signal the program of run `id`; a run already over is left alone. */
  signal(id: string, signo: number): void {
    if (this.exited || !this.listeners.has(id)) return;
    this.proc.stdin!.write(encodeCommand(['signal', id, String(signo)]));
  }

  private askForSpare(): void {
    this.spareExpected = true;
    this.proc.stdin!.write(encodeCommand(['spare']));
  }

  private spareArrived(spare: Spare): void {
    this.spareExpected = false;
    this.opts.onSpare?.(spare);
    if (this.spareWaiter) this.spareWaiter.resolve(spare);
    else this.announced = spare;
  }

  /** An event of no run: about a spare that failed to be made, or died unused. */
  private spareEvent(e: ZygoteEvent): void {
    if (e.kind === 'error') {
      this.opts.onLog(`run init ${e.run}: ${e.message}`);
      this.spareExpected = false;
      this.spareWaiter?.reject(new SandboxSetupFailed(`the run could not be set up: ${e.message}`));
    } else if (e.kind === 'reaped') {
      if (this.announced?.id === e.run) this.announced = null;
      this.spareExpected = false;
      this.opts.onSpareGone?.(e.run);
      // A run is waiting (its spare was killed before it could be used): ask for the next now.
      if (this.spareWaiter) this.askForSpare();
    }
  }

  forget(id: string): void {
    this.listeners.delete(id);
  }

  async stop(): Promise<void> {
    this.server.close();
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
      this.proc.stdin!.end();
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 2000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(this.ioDir, { recursive: true, force: true });
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => undefined);
    let header = Buffer.alloc(0);
    let sink: ((chunk: Buffer) => void) | null = null;
    socket.on('data', (chunk: Buffer) => {
      if (sink) return sink(chunk);
      header = Buffer.concat([header, chunk]);
      const nl = header.indexOf(0x0a);
      if (nl < 0) {
        if (header.length > HEADER_MAX_BYTES) socket.destroy();
        return;
      }
      const [id, kind] = header.subarray(0, nl).toString('utf8').split(' ');
      const listener = this.listeners.get(id);
      if (!listener || (kind !== 'i' && kind !== 'o' && kind !== 'e')) return void socket.destroy();
      sink = listener.stream(kind, socket);
      const rest = header.subarray(nl + 1);
      if (rest.length > 0) sink(rest);
    });
  }
}

/**
 * Calls `onLine` for each complete line of a stream: the zygote's events, several per run, on
 * the run's path. readline's interface machinery costs several times this per line.
 */
function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
}
