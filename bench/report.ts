import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../test/helpers/server.js';

export interface Figures {
  readonly throughputPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `total` jobs with at most `concurrency` at once; returns throughput and latencies. */
export async function measure(total: number, concurrency: number, job: () => Promise<void>): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t = performance.now();
        await job();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { throughputPerS: total / elapsedS, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/**
 * Measures several ways of doing the same job in alternating rounds (A, B, C, A, B, C, ...), so
 * that a slow spell of a shared machine hits them alike, and keeps each one's median round by
 * throughput. Returns, per way, that round and every round's throughput.
 */
export async function interleaved(
  rounds: number,
  total: number,
  concurrency: number,
  jobs: ReadonlyArray<readonly [string, () => Promise<void>]>,
): Promise<Map<string, { median: Figures; throughputs: number[] }>> {
  const all = new Map<string, Figures[]>(jobs.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, job] of jobs) all.get(name)!.push(await measure(total, concurrency, job));
  }
  const out = new Map<string, { median: Figures; throughputs: number[] }>();
  for (const [name, figures] of all) {
    const byThroughput = [...figures].sort((a, b) => a.throughputPerS - b.throughputPerS);
    out.set(name, { median: byThroughput[Math.floor(byThroughput.length / 2)], throughputs: figures.map((f) => f.throughputPerS) });
  }
  return out;
}

/**
 * The median over rounds of the throughput ratio within each round (see interleaved): a round
 * measures both ways back to back, so its ratio compares like with like even when the
 * machine's speed drifts between rounds.
 */
export function medianRoundRatio(way: { throughputs: number[] }, base: { throughputs: number[] }): number {
  const ratios = way.throughputs.map((t, i) => t / base.throughputs[i]).sort((a, b) => a - b);
  return ratios[Math.floor(ratios.length / 2)];
}

export function machineLine(): string {
  return `Measured ${new Date().toISOString().slice(0, 10)} on ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Linux ${os.release()}, Node ${process.version}.`;
}

/** Replaces (or appends) the section between `<!-- name:start -->` and `<!-- name:end -->` in docs/benchmarks.md. */
export function writeSection(name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const doc = path.join(ROOT, 'docs/benchmarks.md');
  const current = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Benchmarks\n\nEvery figure here is written by a command in `bench/`; rerun it to reproduce.\n';
  const pattern = new RegExp(`${start}[\\s\\S]*${end}`);
  fs.writeFileSync(doc, pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`);
  console.log(section);
}
