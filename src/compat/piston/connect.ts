import os from 'node:os';
import { PassThrough } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { InteractiveSession, InteractiveStage, JudgeResult } from '../../judge/index.js';
import type { RunControl } from '../../sandbox/index.js';
import { PistonRequestInvalid } from './errors.js';
import { parseJob } from './request.js';
import type { PistonApiOptions } from './routes.js';
import { COMPILED, compileExit, runExit, type PistonExit } from './stages.js';

/** Piston's close codes and reasons: its clients tell a finished job from a refused one by them. */
const CLOSE = {
  completed: [4999, 'Job Completed'],
  alreadyInitialized: [4000, 'Already Initialized'],
  initTimeout: [4001, 'Initialization Timeout'],
  notified: [4002, 'Notified Error'],
  notInitialized: [4003, 'Not yet initialized'],
  stdinOnly: [4004, 'Can only write to stdin'],
  badSignal: [4005, 'Invalid signal'],
} as const;

/** Piston closes a connection that has not sent `init` within a second. */
const INIT_TIMEOUT_MS = 1000;

type Message = Record<string, unknown>;

/**
 * Piston's interactive protocol at GET /api/v2/connect. A session is a conversation with a live
 * program, so it is not stored: it runs in this process's sandbox, in one of the same slots and
 * under the same limits as every other run, with the same compile step.
 */
export function connectRoute(app: FastifyInstance, opts: PistonApiOptions): void {
  const live = new Set<Session>();
  // Shutdown must not wait for clients to answer a close: it ends their programs, then waits.
  app.addHook('onClose', async () => {
    const sessions = [...live];
    for (const s of sessions) s.abandon();
    await Promise.allSettled(sessions.map((s) => s.finished));
  });
  app.get('/connect', { websocket: true, schema: { hide: true } }, (socket, request) => {
    const session = new Session(socket, opts, request.log);
    live.add(session);
    void session.finished.finally(() => live.delete(session));
  });
}

class Session {
  private initialized = false;
  private readonly stdin = new PassThrough();
  private readonly abandoned = new AbortController();
  private control: RunControl | null = null;
  private readonly pendingSignals: NodeJS.Signals[] = [];
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly initTimer: NodeJS.Timeout;
  private ended!: () => void;
  /** Settles once the socket is closed and any run of the session is over. */
  readonly finished: Promise<void>;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: WebSocket,
    private readonly opts: PistonApiOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    const closed = new Promise<void>((resolve) => (this.ended = resolve));
    this.finished = closed.then(() => this.running);
    this.initTimer = setTimeout(() => this.initialized || this.close(CLOSE.initTimeout), INIT_TIMEOUT_MS);
    socket.on('message', (data: RawData) => this.receive(data));
    socket.on('close', () => {
      this.abandon();
      this.ended();
    });
  }

  /** Nobody is listening: nothing more starts, and a running program is killed. */
  abandon(): void {
    clearTimeout(this.initTimer);
    if (this.abandoned.signal.aborted) return;
    this.abandoned.abort();
    this.stdin.end();
    this.control?.signal('SIGKILL');
  }

  private receive(data: RawData): void {
    let msg: Message;
    try {
      msg = JSON.parse(data.toString()) as Message;
    } catch (err) {
      return this.fail((err as Error).message);
    }
    if (msg === null || typeof msg !== 'object') return this.fail('each message must be a JSON object');
    if ((msg.type === 'data' || msg.type === 'eof' || msg.type === 'signal') && !this.initialized) return this.close(CLOSE.notInitialized);
    switch (msg.type) {
      case 'init':
        return this.init(msg);
      case 'data':
        return this.data(msg);
      case 'eof':
        // Our addition: Piston's protocol has no way to close stdin, and Piston ignores this type.
        if (msg.stream !== undefined && msg.stream !== 'stdin') return this.close(CLOSE.stdinOnly);
        this.stdin.end();
        return;
      case 'signal':
        return this.signal(msg);
      // Like Piston, any other type is ignored.
    }
  }

  private init(msg: Message): void {
    if (this.initialized) return this.close(CLOSE.alreadyInitialized);
    clearTimeout(this.initTimer);
    const { config, languages, submissions, interactive } = this.opts;
    let job, submission;
    try {
      job = parseJob(msg, languages, config);
      if (!interactive) throw new PistonRequestInvalid('interactive sessions run only in a process that runs programs (verdict serve); this API replica only queues runs for its workers');
      // The same checks as a stored submission (file names, sizes, limits), without storing it.
      submission = submissions.validate(job.input);
    } catch (err) {
      return this.fail((err as Error).message);
    }
    this.initialized = true;
    this.send({ type: 'runtime', language: job.runtime.language, version: job.runtime.version });
    // Piston drops `stdin` given with init; we hand it to the program first.
    if (submission.stdin.length > 0) this.stdin.write(submission.stdin);
    const request = {
      languageId: submission.language,
      files: submission.files,
      stdin: Buffer.alloc(0),
      args: submission.args,
      compileOptions: submission.compileOptions,
      expectedOutput: null,
      limits: submission.limits,
    };
    this.running = interactive.judgeInteractive(request, this.hooks()).then(
      (result) => this.report(result),
      (err: unknown) => {
        this.log.error({ err }, 'interactive session failed');
        this.fail('an unexpected error occurred; it has been logged');
      },
    );
  }

  private hooks(): InteractiveSession {
    return {
      stdin: this.stdin,
      abandoned: this.abandoned.signal,
      stage: (stage: InteractiveStage) => this.send({ type: 'stage', stage }),
      compiled: (output: Buffer) => {
        if (output.length > 0) this.send({ type: 'data', stream: 'stderr', data: output.toString('utf8') });
        this.exit('compile', COMPILED);
      },
      output: (stream, chunk) => {
        const data = this.decoders[stream].write(chunk);
        if (data !== '') this.send({ type: 'data', stream, data });
      },
      running: (control: RunControl) => {
        this.control = control;
        for (const name of this.pendingSignals.splice(0)) control.signal(name);
        if (this.abandoned.signal.aborted) control.signal('SIGKILL');
      },
    };
  }

  private data(msg: Message): void {
    if (msg.stream !== 'stdin') return this.close(CLOSE.stdinOnly);
    if (typeof msg.data !== 'string') return this.fail('data must be a string');
    // After end of file there is nowhere for it to go.
    if (this.stdin.writableEnded) return;
    const chunk = Buffer.from(msg.data, 'utf8');
    const capBytes = this.opts.config.maxStdinKb * 1024;
    if (this.stdin.writableLength + chunk.length > capBytes) {
      return this.fail(`more than ${this.opts.config.maxStdinKb} KiB of stdin is waiting for the program to read it (VERDICT_MAX_STDIN_KB)`);
    }
    this.stdin.write(chunk);
  }

  /** Signals sent before the program runs (during compilation) reach it as soon as it does. */
  private signal(msg: Message): void {
    const name = msg.signal;
    if (typeof name !== 'string' || !(name in os.constants.signals)) return this.close(CLOSE.badSignal);
    if (this.control) this.control.signal(name as NodeJS.Signals);
    else this.pendingSignals.push(name as NodeJS.Signals);
  }

  private report(result: JudgeResult): void {
    this.control = null;
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.decoders[stream].end();
      if (rest !== '') this.send({ type: 'data', stream, data: rest });
    }
    if (result.verdict === 'internal_error') return this.fail(result.message ?? 'internal error');
    if (result.verdict === 'compile_error') {
      if (result.compileOutput.length > 0) this.send({ type: 'data', stream: 'stderr', data: result.compileOutput.toString('utf8') });
      this.exit('compile', compileExit(result));
    } else {
      this.exit('run', runExit(result));
    }
    this.close(CLOSE.completed);
  }

  /** Piston's exit message is `{type, stage, code, signal}`; the rest of the stage's ending is ours. */
  private exit(stage: InteractiveStage, how: PistonExit): void {
    this.send({ type: 'exit', stage, ...how });
  }

  /** Piston tells the error in a message, then closes: a close reason is limited to 123 bytes. */
  private fail(message: string): void {
    this.send({ type: 'error', message });
    this.close(CLOSE.notified);
  }

  private send(msg: Message): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(msg));
  }

  private close([code, reason]: readonly [number, string]): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason);
  }
}
