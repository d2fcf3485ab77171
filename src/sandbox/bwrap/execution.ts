import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { RunCgroup } from '../cgroup/Cgroup.js';
import type { InteractiveIo, LimitExceeded, RunOutcome, SandboxLimits } from '../Sandbox.js';
import { SandboxSetupFailed } from '../errors.js';
import { LimitWatch, OutputCollector, buildOutcome, signalName, signalNumber } from '../watch.js';

/** fds as the bwrap process sees them (Node's stdio array index = fd number). */
export const STATUS_FD = 3;
export const BLOCK_FD = 4;
export const INIT_STATUS_FD = 5;
export const SECCOMP_FD = 6;
/** Signals for the program, one little-endian int32 each (as the zygote protocol), read by the helper while the run goes on. */
export const CONTROL_FD = 7;

/** Cap on what bwrap and the helper may say about themselves, so they cannot flood memory. */
const STATUS_CAP_BYTES = 4096;

export interface ExecutionInput {
  readonly bwrapPath: string;
  readonly args: readonly string[];
  readonly uid: number;
  readonly gid: number;
  readonly stdin: Buffer;
  readonly interactive?: InteractiveIo;
  readonly seccompFilter: Buffer;
  readonly limits: SandboxLimits;
  readonly cgroup: RunCgroup;
}

/**
 * One bwrap process from spawn to exit: waits for bwrap to report the sandbox's init pid, moves
 * it into the run's cgroup while the payload is still blocked, releases it, then enforces the
 * wall, CPU and output limits until it exits.
 */
export function execute(input: ExecutionInput): Promise<RunOutcome> {
  return new Promise<RunOutcome>((resolve, reject) => {
    const { limits, cgroup } = input;
    const outputCapBytes = limits.outputKb * 1024;
    const child: ChildProcess = spawn(input.bwrapPath, input.args, {
      uid: input.uid,
      gid: input.gid,
      env: {},
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    });
    const stdio = child.stdio as unknown as [Writable, Readable, Readable, Readable, Writable, Readable, Writable, Writable];
    let statusText = '';
    let initText = '';
    let initPid: number | null = null;
    let stopReason: LimitExceeded | null = null;
    let setupError: string | null = null;

    const kill = (reason: LimitExceeded | null): void => {
      if (reason && stopReason === null) stopReason = reason;
      // Killing the pid namespace's init makes the kernel kill every process in it.
      try {
        if (initPid !== null) process.kill(initPid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        /* already exited */
      }
    };
    const watch = new LimitWatch(limits, cgroup, kill);
    const live = input.interactive;
    const output = new OutputCollector(outputCapBytes, () => kill('output'), live && ((stream, chunk) => live.onOutput(stream, chunk)));

    const release = (pid: number): void => {
      initPid = pid;
      cgroup.attach(pid).then(
        () => {
          stdio[BLOCK_FD].end(Buffer.from([1]));
          watch.start();
        },
        (e: unknown) => {
          setupError = `cannot move the sandbox into its cgroup: ${(e as Error).message}`;
          kill(null);
        },
      );
    };

    stdio[STATUS_FD].on('data', (chunk: Buffer) => {
      if (statusText.length > STATUS_CAP_BYTES) return;
      statusText += chunk.toString('utf8');
      if (initPid !== null) return;
      const m = /"child-pid"\s*:\s*(\d+)/.exec(statusText);
      if (m) release(Number(m[1]));
    });
    stdio[INIT_STATUS_FD].on('data', (chunk: Buffer) => {
      if (initText.length < STATUS_CAP_BYTES) initText += chunk.toString('utf8');
    });
    stdio[1].on('data', output.stdout);
    stdio[2].on('data', output.stderr);
    // The program may exit without reading its input; a closed pipe is not our error.
    for (const s of [stdio[0], stdio[BLOCK_FD], stdio[SECCOMP_FD], stdio[CONTROL_FD]]) s.on('error', () => undefined);
    stdio[SECCOMP_FD].end(input.seccompFilter);
    let over = false;
    if (live) {
      stdio[0].on('close', () => live.stdin.unpipe(stdio[0]));
      live.stdin.pipe(stdio[0]);
      // Written before the helper reads them, signals wait in the pipe: none is lost.
      live.onStart({
        signal: (name) => {
          const signo = signalNumber(name);
          if (over || signo === null) return;
          const word = Buffer.alloc(4);
          word.writeInt32LE(signo);
          stdio[CONTROL_FD].write(word);
        },
      });
    } else {
      stdio[0].end(input.stdin);
      stdio[CONTROL_FD].end();
    }

    child.on('error', (e) => {
      watch.stop();
      reject(new SandboxSetupFailed(`cannot start bwrap: ${e.message}`, e));
    });
    child.on('close', (code, sig) => {
      over = true;
      stdio[CONTROL_FD].destroy();
      const wallTimeMs = watch.elapsedMs();
      watch.stop();
      if (initPid === null || setupError !== null) {
        const said = output.result().stderr.toString('utf8').trim();
        reject(new SandboxSetupFailed(setupError ?? `bwrap failed before the program started (exit ${code ?? sig}): ${said || 'no message'}`));
        return;
      }
      const { exitCode, signal } = exitStatus(initText, code, sig, stopReason !== null);
      try {
        resolve(buildOutcome({ exitCode, signal, stopReason, wallTimeMs, output, cgroup, limits }));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/**
 * The helper reports the payload's exact status; bwrap's own exit code cannot tell exit(137)
 * from SIGKILL. Without a report (the helper was killed with the namespace), fall back.
 */
function exitStatus(initText: string, code: number | null, sig: NodeJS.Signals | null, killedByUs: boolean): { exitCode: number | null; signal: string | null } {
  const m = /^(exit|signal) (\d+)$/m.exec(initText);
  if (m) return m[1] === 'exit' ? { exitCode: Number(m[2]), signal: null } : { exitCode: null, signal: signalName(Number(m[2])) };
  if (killedByUs) return { exitCode: null, signal: 'SIGKILL' };
  if (sig) return { exitCode: null, signal: sig };
  if (code !== null && code > 128) return { exitCode: null, signal: signalName(code - 128) };
  return { exitCode: code, signal: null };
}
