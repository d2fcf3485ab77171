/**
 * The sandbox alone, both adapters, against native spawns of the same programs in the same run:
 * per-run wall time one at a time (p50, p99) and throughput at saturation. Writes its figures to
 * docs/benchmarks.md.
 *
 *   npm run bench          (BENCH_RUNS=300 by default)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BoxFactory, BwrapSandbox, SlotPool, ZygoteSandbox, createCgroupDriver, prepareHost, type Sandbox, type SandboxLimits,
} from '../src/sandbox/index.js';
import { ROOT } from '../test/helpers/server.js';
import { machineLine, measure, writeSection, type Figures } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const CORES = os.availableParallelism();
const SANDBOX_DIR = `/run/verdict-bench-${process.pid}`;
const LIMITS: SandboxLimits = { cpuTimeMs: 5000, wallTimeMs: 10000, memoryKb: 262144, processes: 64, outputKb: 1024, fileSizeKb: 1024, stackKb: 8192 };
const PROGRAMS = [
  { name: '`/bin/true`', argv: ['/bin/true'] },
  { name: 'Python `print(2 ** 10)`', argv: ['/usr/bin/python3', '-B', '-u', 'main.py'] },
];

function native(argv: readonly string[], dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`native ${argv[0]} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-'));
  fs.writeFileSync(path.join(dir, 'main.py'), 'print(2 ** 10)\n');
  const cgroups = createCgroupDriver('auto', 'verdict-bench');
  await cgroups.init();
  const host = prepareHost({ sandboxDir: SANDBOX_DIR, nativeDir: path.join(ROOT, 'dist/native'), tmpSizeKb: 65536 });
  const boxes = new BoxFactory(path.join(SANDBOX_DIR, 'boxes'));
  boxes.init();
  const slots = new SlotPool(CORES, 2_950_000, path.join(SANDBOX_DIR, 'cache'));
  const sandboxes: Array<[string, Sandbox]> = [
    ['warm (zygote)', new ZygoteSandbox({ host, cgroups, slotBoxesDir: (s) => boxes.slotDir(s), slotCacheDir: (s) => slots.slotCacheRoot(s), onLog: () => undefined, onError: (err) => console.error('cleanup failed', err) })],
    ['cold (bwrap per run)', new BwrapSandbox(host, cgroups)],
  ];
  const rows: string[] = [];
  try {
    for (const program of PROGRAMS) {
      const viaNative = () => native(program.argv, dir);
      const figures: Array<[string, Figures, Figures]> = [];
      await measure(20, CORES, viaNative);
      figures.push(['native spawn', await measure(RUNS, 1, viaNative), await measure(RUNS, CORES, viaNative)]);
      for (const [name, sandbox] of sandboxes) {
        const run = () =>
          slots.with(async (slot) => {
            const box = await boxes.create(slot, [{ name: 'main.py', content: Buffer.from('print(2 ** 10)\n') }]);
            try {
              const out = await sandbox.run({ slot, boxDir: box.dir, argv: program.argv, env: { PATH: '/usr/bin:/bin' }, stdin: Buffer.alloc(0), limits: LIMITS });
              if (out.exitCode !== 0) throw new Error(`${name}: ${program.argv[0]} exited ${out.exitCode ?? out.signal}: ${out.stderr}`);
            } finally {
              await box.remove();
            }
          });
        await measure(20, CORES, run);
        figures.push([name, await measure(RUNS, 1, run), await measure(RUNS, CORES, run)]);
      }
      const base = figures[0];
      for (const [name, single, saturated] of figures) {
        const overhead = name === 'native spawn' ? '—' : `+${(single.p50Ms - base[1].p50Ms).toFixed(2)}`;
        const ratio = (saturated.throughputPerS / base[2].throughputPerS).toFixed(2);
        rows.push(`| ${program.name} | ${name} | ${single.p50Ms.toFixed(2)} | ${single.p99Ms.toFixed(2)} | ${overhead} | ${saturated.throughputPerS.toFixed(1)} | ${ratio} |`);
      }
    }
  } finally {
    for (const [, s] of sandboxes) await s.close?.();
    await boxes.close();
    await cgroups.close();
    fs.rmSync(SANDBOX_DIR, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const dynmods = fs.readFileSync('/proc/mounts', 'utf8').includes('favordynmods') ? 'on' : 'off';
  writeSection('sandbox-vs-native', [
    '## The sandbox alone vs native spawn (`bench/sandbox-vs-native.ts`)',
    '',
    machineLine(),
    `Each run: an emptied box, a fresh cgroup (${cgroups.version}), the program, its exit status, CPU and peak memory read back, all torn down.`,
    `"one at a time" is ${RUNS} runs in sequence (wall time per run, spawn to result); "saturated" is ${RUNS} runs at concurrency ${CORES}`,
    `(one per core, the default number of slots). cgroup favordynmods: ${dynmods}. Native spawns the same program from Node.`,
    '',
    '| program | how | p50 one at a time (ms) | p99 (ms) | p50 overhead vs native (ms) | saturated throughput (runs/s) | throughput vs native |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Bars (issue: near-native sandbox): p50 overhead <= 3 ms for `/bin/true`; saturated throughput >= 0.9 x native for the Python print.',
  ].join('\n'));
}

await main();
