// Runs every compiled test file with node's test runner, one file at a time (the end-to-end
// files each start a real service with real sandboxes; running them side by side on a small
// machine only makes timing-sensitive verdicts flaky), then fails if anything was left behind.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const testRoot = path.join(root, 'dist/test');

function find(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  });
}

/** Temp dirs and run cgroups the tests create; any that appear during the run are leaks. */
function leftovers() {
  const found = [
    ...fs.readdirSync('/run').filter((n) => n.startsWith('verdict-test-') || n.startsWith('verdict-cluster-')).map((n) => `/run/${n}`),
    ...serviceProcesses(),
    ...fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('verdict-test-')).map((n) => path.join(os.tmpdir(), n)),
  ];
  for (const ctrl of ['memory', 'pids', 'cpuacct', 'freezer', '.']) {
    const dir = path.join('/sys/fs/cgroup', ctrl, 'verdict-test');
    if (!fs.existsSync(dir)) continue;
    for (const inst of fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      const runs = fs.readdirSync(path.join(dir, inst.name), { withFileTypes: true }).filter((e) => e.isDirectory());
      found.push(...runs.map((r) => path.join(dir, inst.name, r.name)));
    }
  }
  return found;
}

/** Verdict's distributed processes and test brokers still running (each by pid and command). */
function serviceProcesses() {
  const out = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let cmd;
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (/dist\/src\/cli\/main\.js (api|worker|relay)\b|kafka\.Kafka .*verdict-test-/.test(cmd)) out.push(`process ${pid}: ${cmd.slice(0, 120)}`);
  }
  return out;
}

const only = process.argv.slice(2);
const files = find(testRoot).filter((f) => only.length === 0 || only.some((o) => f.includes(o))).sort();
const before = new Set(leftovers());
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { stdio: 'inherit' });
const leaked = leftovers().filter((p) => !before.has(p));
if (leaked.length > 0) {
  console.error(`tests left these behind:\n  ${leaked.join('\n  ')}`);
  process.exit(1);
}
process.exit(run.status ?? 1);
