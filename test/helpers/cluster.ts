import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './server.js';

/** A whole distributed Verdict started by the project's own script, in a temp dir of its own. */
export interface TestCluster {
  readonly dir: string;
  /** The load balancer. */
  readonly url: string;
  readonly databaseUrl: string;
  readonly kafkaBrokers: string;
  /** Starts whatever part is not running (after a test stopped or killed one). */
  up(): void;
  /** The pid of a part (api-1, worker-2, relay, kafka, postgres, nginx), or null if stopped. */
  pid(part: string): number | null;
  /** SIGKILL a part and wait until it is gone. */
  kill(part: string): Promise<void>;
  /** Every line a worker logged that a submission finished: id and worker. */
  finishedLog(): Array<{ id: string; worker: string }>;
  down(): void;
}

const SCRIPT = path.join(ROOT, 'scripts/cluster.sh');

export function startCluster(env: Record<string, string> = {}): TestCluster {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-test-cluster-'));
  // PostgreSQL runs as its own user and must reach its data directory inside this one.
  fs.chmodSync(dir, 0o755);
  // A base port of its own, away from the default cluster's (2400) and from ephemeral ports.
  const base = 20_000 + (process.pid % 300) * 50;
  const fullEnv = { ...process.env, VERDICT_CLUSTER_DIR: dir, VERDICT_CLUSTER_PORT: String(base), ...env };
  const run = (cmd: string): string => {
    const r = spawnSync('bash', [SCRIPT, cmd], { env: fullEnv, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`cluster.sh ${cmd} failed (${r.status}):\n${r.stderr}\n${tail(dir)}`);
    return r.stdout;
  };
  const cluster: TestCluster = {
    dir,
    url: '',
    databaseUrl: '',
    kafkaBrokers: '',
    up: () => void run('up'),
    pid(part) {
      try {
        const pid = Number(fs.readFileSync(path.join(dir, `${part}.pid`), 'utf8').trim());
        return alive(pid) ? pid : null;
      } catch {
        return null;
      }
    },
    async kill(part) {
      const pid = cluster.pid(part);
      if (pid === null) return;
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    },
    finishedLog() {
      const out: Array<{ id: string; worker: string }> = [];
      for (const name of fs.readdirSync(path.join(dir, 'logs')).filter((n) => n.startsWith('worker-'))) {
        for (const line of fs.readFileSync(path.join(dir, 'logs', name), 'utf8').split('\n')) {
          if (!line.includes('"submission finished"')) continue;
          const entry = JSON.parse(line) as { id: string };
          out.push({ id: entry.id, worker: name.replace(/\.log$/, '') });
        }
      }
      return out;
    },
    down() {
      spawnSync('bash', [SCRIPT, 'down'], { env: fullEnv, encoding: 'utf8', timeout: 180_000 });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    run('up');
  } catch (err) {
    cluster.down();
    throw err;
  }
  const env2 = Object.fromEntries(
    fs.readFileSync(path.join(dir, 'env'), 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { ...cluster, url: env2.VERDICT_URL, databaseUrl: env2.DATABASE_URL, kafkaBrokers: env2.KAFKA_BROKERS };
}

/** Running and not a zombie (a dead process nobody has reaped yet still answers kill -0). */
function alive(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

function tail(dir: string): string {
  const logs = path.join(dir, 'logs');
  if (!fs.existsSync(logs)) return '';
  return fs
    .readdirSync(logs)
    .map((n) => `--- ${n}\n${fs.readFileSync(path.join(logs, n), 'utf8').split('\n').slice(-15).join('\n')}`)
    .join('\n');
}
