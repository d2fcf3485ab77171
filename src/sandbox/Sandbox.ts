import type { Readable } from 'node:stream';

/**
 * Runs one program in isolation and reports what happened. The sandbox measures and enforces;
 * it does not judge: turning an outcome into a verdict is judge/'s job.
 */
export interface SandboxLimits {
  readonly cpuTimeMs: number;
  readonly wallTimeMs: number;
  readonly memoryKb: number;
  readonly processes: number;
  readonly outputKb: number;
  readonly fileSizeKb: number;
  readonly stackKb: number;
}

/** A host path made visible inside the sandbox, at a target under /cache. */
export interface Mount {
  readonly source: string;
  readonly target: string;
  readonly writable: boolean;
}

/** Who a run executes as: one unprivileged host uid per concurrent slot keeps slots apart. */
export interface Slot {
  readonly index: number;
  readonly uid: number;
  readonly gid: number;
}

/** Delivers signals to a running program; anything asked after it ended is ignored. */
export interface RunControl {
  signal(name: NodeJS.Signals): void;
}

/**
 * A live run (an interactive session): input reaches the program as it arrives and output
 * leaves as it is written. Every limit still applies; the outcome still carries all output kept.
 */
export interface InteractiveIo {
  /** Piped to the program's stdin as it arrives; its end is the program's end of file. */
  readonly stdin: Readable;
  /** Each piece of output as the program writes it, up to the output limit and no further. */
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** Called once as the run starts: signals can be delivered from then until it ends. */
  onStart(control: RunControl): void;
}

export interface RunRequest {
  readonly slot: Slot;
  /** Host directory bound read-write at /box, the working directory. */
  readonly boxDir: string;
  /** argv[0] is an absolute path inside the sandbox; nothing goes through a shell. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Buffer;
  readonly limits: SandboxLimits;
  readonly mounts?: readonly Mount[];
  /** Makes the run live; its `stdin` then replaces the one above. */
  readonly interactive?: InteractiveIo;
}

/** Why the sandbox stopped a run early, if it did. */
export type LimitExceeded = 'cpu' | 'wall' | 'memory' | 'output' | 'file_size';

export interface RunOutcome {
  readonly exitCode: number | null;
  /** Signal name such as "SIGSEGV" when the program was killed by a signal. */
  readonly signal: string | null;
  readonly cpuTimeMs: number;
  readonly wallTimeMs: number;
  readonly memoryKb: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** The first limit that stopped the run, or null. */
  readonly limitExceeded: LimitExceeded | null;
}

export interface Sandbox {
  /** Throws SandboxSetupFailed when the sandbox itself failed; program failures are outcomes. */
  run(request: RunRequest): Promise<RunOutcome>;
  /** Stops whatever the sandbox keeps running between runs. */
  close?(): Promise<void>;
}
