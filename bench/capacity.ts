/**
 * Capacity figures for planning: submissions per second per core for a typical mix of languages
 * (compiled ones compiled every time: each source is unique, so the artefact cache never hits),
 * and the memory a slot costs at rest. The standalone service at saturation; the distributed
 * worker runs the same judge and sandbox. Writes its figures to docs/benchmarks.md.
 *
 *   npm run bench          (BENCH_MIX_RUNS=240 by default)
 */
import fs from 'node:fs';
import os from 'node:os';
import { JsonClient } from './client.js';
import { removeServerDirs, startServer } from '../test/helpers/server.js';
import { machineLine, measure, writeSection } from './report.js';

const RUNS = Number(process.env.BENCH_MIX_RUNS ?? 240);
const CORES = os.availableParallelism();

/** A mix like a judge's: mostly interpreted, some compiled; each program reads a number and answers. */
const MIX: ReadonlyArray<{ language: string; source: (n: number) => string }> = [
  { language: 'python', source: (n) => `# ${n}\nprint(int(input()) + ${n})\n` },
  { language: 'python', source: (n) => `# ${n}\nimport sys\nprint(sum(map(int, sys.stdin.read().split())) + ${n})\n` },
  { language: 'javascript', source: (n) => `// ${n}\nconst x = Number(require('fs').readFileSync(0, 'utf8'));\nconsole.log(x + ${n});\n` },
  { language: 'cpp', source: (n) => `// ${n}\n#include <iostream>\nint main(){long x; std::cin >> x; std::cout << x + ${n} << "\\n";}\n` },
  { language: 'c', source: (n) => `// ${n}\n#include <stdio.h>\nint main(void){long x; scanf("%ld", &x); printf("%ld\\n", x + ${n}); return 0;}\n` },
  { language: 'bash', source: (n) => `# ${n}\nread x\necho $((x + ${n}))\n` },
];

/** Resident memory (KiB) of a process and all its descendants. */
function treeRssKb(pid: number): { rootKb: number; childrenKb: number } {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      /* gone */
    }
  }
  const rss = (p: number): number => {
    try {
      return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      return 0;
    }
  };
  let childrenKb = 0;
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop()!;
    childrenKb += rss(p);
    stack.push(...(children.get(p) ?? []));
  }
  return { rootKb: rss(pid), childrenKb };
}

async function main(): Promise<void> {
  const server = await startServer({ slots: CORES });
  const client = new JsonClient(server.url);
  try {
    let n = 0;
    const job = async (): Promise<void> => {
      const i = n++;
      const p = MIX[i % MIX.length];
      const r = await client.request('POST', '/v1/submissions?wait=true', { language: p.language, source: p.source(i), stdin: '1\n' });
      if (r.status !== 201 || r.body.verdict !== 'accepted' || r.body.stdout !== `${1 + i}\n`) throw new Error(`bad result: ${JSON.stringify(r.body)}`);
    };
    await measure(MIX.length * 2, 2 * CORES, job);
    const idle = treeRssKb(server.proc.pid!);
    const figures = await measure(RUNS, 2 * CORES, job);
    const busy = treeRssKb(server.proc.pid!);
    writeSection('capacity', [
      '## Capacity: a typical mix, per core (`bench/capacity.ts`)',
      '',
      machineLine(),
      `The standalone service with ${CORES} slots at saturation (concurrency ${2 * CORES}), ${RUNS} submissions cycling through`,
      `${MIX.map((m) => m.language).join(', ')}: each reads a number and prints a sum; every source is unique, so C and C++`,
      'are compiled for every submission (the artefact cache never hits). A worker of the distributed mode runs the same judge.',
      '',
      '| figure | value |',
      '|---|---|',
      `| throughput | ${figures.throughputPerS.toFixed(1)} submissions/s |`,
      `| per core | **${(figures.throughputPerS / CORES).toFixed(1)} submissions/s** |`,
      `| latency p50 / p99 at saturation | ${figures.p50Ms.toFixed(0)} / ${figures.p99Ms.toFixed(0)} ms |`,
      `| service process, resident | ${(busy.rootKb / 1024).toFixed(0)} MiB |`,
      `| sandbox processes at rest (zygotes and spares), per slot | ${(idle.childrenKb / CORES / 1024).toFixed(1)} MiB |`,
      '',
      'A slot also needs room for what it runs: up to its memory limit (`VERDICT_MEMORY_KB_MAX`, 1 GiB by default; 256 MiB',
      'unless a request asks for more), and compile steps up to `VERDICT_COMPILE_MEMORY_KB_MAX`.',
    ].join('\n'));
  } finally {
    client.close();
    await server.stop();
    removeServerDirs(server);
  }
}

await main();
