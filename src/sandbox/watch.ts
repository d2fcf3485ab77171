import os from 'node:os';
import type { RunCgroup } from './cgroup/Cgroup.js';
import type { LimitExceeded, RunOutcome, SandboxLimits } from './Sandbox.js';
import { SandboxSetupFailed } from './errors.js';

/**
 * One name per signal number: the first Node lists, which is the usual one where a number has
 * aliases (SIGABRT, not SIGIOT; SIGIO, not SIGPOLL), so abort() reads as SIGABRT everywhere.
 */
const SIGNAL_NAMES = new Map<number, string>();
for (const [name, num] of Object.entries(os.constants.signals)) if (!SIGNAL_NAMES.has(num)) SIGNAL_NAMES.set(num, name);

export function signalName(num: number): string {
  return SIGNAL_NAMES.get(num) ?? `SIG${num}`;
}

/** The number of a signal name such as "SIGTERM", or null if this host has no such signal. */
export function signalNumber(name: string): number | null {
  const num = (os.constants.signals as Record<string, number | undefined>)[name];
  return typeof num === 'number' ? num : null;
}

/** How often at most the CPU counter is read; the next read is scheduled by the CPU still left. */
const CPU_POLL_MIN_MS = 5;
/** Read once: CPU time can grow at most this many times faster than wall time. */
const CORES = os.availableParallelism();
const CPU_POLL_MAX_MS = 100;

/**
 * Enforces the wall and CPU limits of one run from outside it: a timer for wall time, and reads
 * of the cgroup's CPU counter. CPU time grows at most `cores` times faster than wall time, so the
 * next read is scheduled no sooner than needed: a run costs a handful of reads, not a poll loop.
 */
export class LimitWatch {
  private wallTimer: NodeJS.Timeout | undefined;
  private cpuTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(
    private readonly limits: SandboxLimits,
    private readonly cgroup: RunCgroup,
    private readonly stopRun: (reason: LimitExceeded) => void,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.wallTimer = setTimeout(() => this.stopRun('wall'), this.limits.wallTimeMs);
    this.cpuTimer = setTimeout(() => this.pollCpu(), Math.min(CPU_POLL_MAX_MS, this.limits.cpuTimeMs / CORES));
  }

  /** Wall time since start, in ms (0 if never started). */
  elapsedMs(): number {
    return this.startedAt > 0 ? performance.now() - this.startedAt : 0;
  }

  stop(): void {
    clearTimeout(this.wallTimer);
    clearTimeout(this.cpuTimer);
  }

  private pollCpu(): void {
    let usedMs: number;
    try {
      usedMs = this.cgroup.cpuUsageUs() / 1000;
    } catch {
      return;
    }
    const leftMs = this.limits.cpuTimeMs - usedMs;
    if (leftMs <= 0) return this.stopRun('cpu');
    const nextMs = Math.min(CPU_POLL_MAX_MS, Math.max(CPU_POLL_MIN_MS, leftMs / CORES));
    this.cpuTimer = setTimeout(() => this.pollCpu(), nextMs);
  }
}

/**
 * Keeps stdout and stderr up to a shared cap; going past it stops the run. A live run also hands
 * each kept piece on as it arrives, so a client never sees more than the outcome holds.
 */
export class OutputCollector {
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private total = 0;

  constructor(
    private readonly capBytes: number,
    private readonly onOverflow: () => void,
    private readonly onKept?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void,
  ) {}

  readonly stdout = (chunk: Buffer): void => this.collect(this.out, 'stdout', chunk);
  readonly stderr = (chunk: Buffer): void => this.collect(this.err, 'stderr', chunk);

  private collect(into: Buffer[], stream: 'stdout' | 'stderr', chunk: Buffer): void {
    const room = this.capBytes - this.total;
    this.total += chunk.length;
    if (room > 0) {
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      into.push(kept);
      this.onKept?.(stream, kept);
    }
    if (this.total > this.capBytes) this.onOverflow();
  }

  result(): { stdout: Buffer; stderr: Buffer } {
    return { stdout: Buffer.concat(this.out), stderr: Buffer.concat(this.err) };
  }
}

/** Verdict order: CPU, wall, memory, output, file size. */
function firstLimit(stopReason: LimitExceeded | null, cpuOver: boolean, oomKilled: boolean, signal: string | null): LimitExceeded | null {
  if (cpuOver || stopReason === 'cpu') return 'cpu';
  if (stopReason === 'wall') return 'wall';
  if (oomKilled) return 'memory';
  if (stopReason === 'output') return 'output';
  if (signal === 'SIGXFSZ') return 'file_size';
  return null;
}

/**
 * The outcome of a finished run, from what the sandbox saw and what the cgroup measured. Throws
 * SandboxSetupFailed when the cgroup cannot be read: never blame the program for that.
 */
export function buildOutcome(args: {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stopReason: LimitExceeded | null;
  readonly wallTimeMs: number;
  readonly output: OutputCollector;
  readonly cgroup: RunCgroup;
  readonly limits: SandboxLimits;
}): RunOutcome {
  let usage;
  try {
    usage = args.cgroup.usage();
  } catch (e) {
    throw new SandboxSetupFailed(`cannot read the run's cgroup: ${(e as Error).message}`, e);
  }
  const cpuTimeMs = usage.cpuUsageUs / 1000;
  const { signal } = args;
  return {
    exitCode: args.exitCode,
    signal,
    cpuTimeMs: Math.round(cpuTimeMs),
    wallTimeMs: Math.round(args.wallTimeMs),
    memoryKb: Math.round(usage.memoryPeakBytes / 1024),
    ...args.output.result(),
    limitExceeded: firstLimit(args.stopReason, cpuTimeMs > args.limits.cpuTimeMs || signal === 'SIGXCPU', usage.oomKilled, signal),
  };
}
