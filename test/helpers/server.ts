import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'dist/src/cli/main.js');

let uidOffset = 0;

export interface TestServer {
  readonly url: string;
  readonly proc: ChildProcess;
  readonly dataDir: string;
  readonly sandboxDir: string;
  readonly uidBase: number;
  readonly logs: string[];
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
}

export interface ServerOptions {
  readonly dataDir?: string;
  readonly sandboxDir?: string;
  readonly uidBase?: number;
  readonly slots?: number;
  readonly env?: Record<string, string>;
}

/** A fresh temporary data dir; the caller removes it. */
export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-test-'));
}

/** Starts `verdict serve` as its own process on a free port, with private dirs and uids. */
export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const sandboxDir = opts.sandboxDir ?? `/run/verdict-test-${randomBytes(4).toString('hex')}`;
  // Separate uid ranges keep concurrently running test servers apart.
  const uidBase = opts.uidBase ?? 2_100_000 + 100 * (uidOffset++ % 50) + 5000 * (process.pid % 100);
  const proc = spawn(process.execPath, [MAIN, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PORT: '0',
      VERDICT_DATA_DIR: dataDir,
      VERDICT_SANDBOX_DIR: sandboxDir,
      VERDICT_SANDBOX_UID_BASE: String(uidBase),
      VERDICT_SLOTS: String(opts.slots ?? 2),
      VERDICT_CGROUP_ROOT: 'verdict-test',
      VERDICT_SHUTDOWN_GRACE_MS: '20000',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  // A test process that ends early (a failed hook) must not leave its server running.
  const killOnExit = (): void => {
    proc.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      process.off('exit', killOnExit);
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 90 s:\n${logs.join('\n')}`)), 90_000);
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'language unavailable') process.stderr.write(`test server: ${line}\n`);
        if (entry.msg === 'verdict standalone ready' && entry.url) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        /* not JSON */
      }
    });
    readline.createInterface({ input: proc.stderr! }).on('line', (line) => logs.push(line));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${logs.join('\n')}`));
    });
  });
  return {
    url,
    proc,
    dataDir,
    sandboxDir,
    uidBase,
    logs,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    async kill() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** Removes what a stopped server leaves by design (its data and its sandbox dir). */
export function removeServerDirs(server: TestServer): void {
  fs.rmSync(server.dataDir, { recursive: true, force: true });
  fs.rmSync(server.sandboxDir, { recursive: true, force: true });
}
