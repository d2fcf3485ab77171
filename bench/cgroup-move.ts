/**
 * How long moving a process into a cgroup takes on this host, per v1 controller (or on the v2
 * tree), and whether the cgroup2 mount has favordynmods. Each run of a submission makes one such
 * move. Writes its figures to docs/benchmarks.md.
 *
 *   npm run bench          (BENCH_MOVES=400 by default)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { detectCgroupVersion, fastCgroupMoves } from '../src/sandbox/cgroup/detect.js';
import { machineLine, writeSection } from './report.js';

const MOVES = Number(process.env.BENCH_MOVES ?? 400);
const version = detectCgroupVersion();
const trees = version === 'v1' ? ['memory', 'pids', 'cpuacct'].map((c) => `/sys/fs/cgroup/${c}`) : ['/sys/fs/cgroup'];

const child = spawn('sleep', ['600'], { stdio: 'ignore' });
const rows: string[] = [];
try {
  for (const tree of trees) {
    const dirs = ['a', 'b'].map((n) => path.join(tree, `verdict-bench-move-${process.pid}-${n}`));
    for (const d of dirs) fs.mkdirSync(d);
    const times: number[] = [];
    try {
      for (let i = 0; i < MOVES; i++) {
        const t = performance.now();
        fs.writeFileSync(path.join(dirs[i % 2], 'cgroup.procs'), String(child.pid));
        times.push(performance.now() - t);
        // Runs arrive milliseconds apart, not back to back: leave the kernel the same gap.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      fs.writeFileSync(path.join(tree, 'cgroup.procs'), String(child.pid));
      for (const d of dirs) fs.rmdirSync(d);
    }
    times.sort((x, y) => x - y);
    const at = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(3);
    const slow = times.filter((t) => t > 1).length;
    rows.push(`| ${path.basename(tree)} | ${at(50)} | ${at(90)} | ${at(99)} | ${times[times.length - 1].toFixed(3)} | ${slow} of ${MOVES} |`);
  }
} finally {
  child.kill();
}
const dynmods = fastCgroupMoves(fs.readFileSync('/proc/mounts', 'utf8'));
writeSection('cgroup-move', [
  '## Moving a process into a cgroup (`bench/cgroup-move.ts`)',
  '',
  machineLine(),
  `cgroup ${version}; favordynmods on the cgroup2 mount: **${dynmods ? 'on' : 'off'}**. ${MOVES} moves of one process between two cgroups, 5 ms apart.`,
  'Without favordynmods some moves wait for an RCU grace period, which shows as the "moves over 1 ms" column;',
  '`scripts/setup.sh` turns the option on where the kernel has it (it cannot be turned off again without a reboot).',
  '',
  '| tree | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | moves over 1 ms |',
  '|---|---|---|---|---|---|',
  ...rows,
].join('\n'));
