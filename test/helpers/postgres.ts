import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './server.js';

export interface TestPostgres {
  readonly url: string;
  stop(): void;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A private PostgreSQL cluster started by the project's own script, removed on stop. */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-test-pg-'));
  const script = path.join(ROOT, 'scripts/pg-cluster.sh');
  const r = spawnSync('bash', [script, 'start', dir, String(await freePort())], { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot start PostgreSQL: ${r.stderr}`);
  }
  return {
    url: r.stdout.trim(),
    stop() {
      spawnSync('bash', [script, 'stop', dir], { encoding: 'utf8' });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
