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
import { interleaved, machineLine, measure, medianRoundRatio, writeSection, type Figures } from './report.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 300);
/** Saturated runs are measured in this many alternating rounds; the median round is reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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
      const ways: Array<readonly [string, () => Promise<void>]> = [['native spawn', () => native(program.argv, dir)]];
      for (const [name, sandbox] of sandboxes) {
        ways.push([
          name,
          () =>
            slots.with(async (slot) => {
              const box = await boxes.create(slot, [{ name: 'main.py', content: Buffer.from('print(2 ** 10)\n') }]);
              try {
                const out = await sandbox.run({ slot, boxDir: box.dir, argv: program.argv, env: { PATH: '/usr/bin:/bin' }, stdin: Buffer.alloc(0), limits: LIMITS });
                if (out.exitCode !== 0) throw new Error(`${name}: ${program.argv[0]} exited ${out.exitCode ?? out.signal}: ${out.stderr}`);
              } finally {
                await box.remove();
              }
            }),
        ]);
      }
      const single = new Map<string, Figures>();
      for (const [name, job] of ways) {
        await measure(20, CORES, job);
        single.set(name, await measure(RUNS, 1, job));
      }
      const saturated = await interleaved(ROUNDS, RUNS, CORES, ways);
      const base = { single: single.get('native spawn')!, saturated: saturated.get('native spawn')! };
      for (const [name] of ways) {
        const one = single.get(name)!;
        const sat = saturated.get(name)!;
        const delta = one.p50Ms - base.single.p50Ms;
        const overhead = name === 'native spawn' ? '—' : `${delta >= 0 ? '+' : '−'}${Math.abs(delta).toFixed(2)}`;
        const ratio = medianRoundRatio(sat, base.saturated).toFixed(2);
        const byRound = sat.throughputs.map((t) => t.toFixed(0)).join(', ');
        rows.push(`| ${program.name} | ${name} | ${one.p50Ms.toFixed(2)} | ${one.p99Ms.toFixed(2)} | ${overhead} | ${sat.median.throughputPerS.toFixed(1)} (${byRound}) | ${ratio} |`);
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
    `Each run: an emptied box, its own cgroup (${cgroups.version}; the warm sandbox on v1 resets and reuses a finished run's), the program, its exit status, CPU`,
    'and peak memory read back, all torn down.',
    `"one at a time" is ${RUNS} runs in sequence (wall time per run, spawn to result); "saturated" is ${RUNS} runs at concurrency ${CORES}`,
    `(one per core, the default number of slots), measured in ${ROUNDS} rounds that alternate between the ways of running, so a slow`,
    'spell of the machine hits them alike; the table gives the median round and, in brackets, every round in order. The ratio to',
    'native is the median over rounds of the ratio within each round.',
    `cgroup favordynmods: ${dynmods}. Native spawns the same program from Node.`,
    '',
    '| program | how | p50 one at a time (ms) | p99 (ms) | p50 overhead vs native (ms) | saturated throughput (runs/s; rounds) | throughput vs native |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Bars (issue: near-native sandbox): p50 overhead <= 3 ms for `/bin/true`; saturated throughput >= 0.9 x native for the Python print.',
  ].join('\n'));
}

await main();
