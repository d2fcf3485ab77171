/**
 * Throughput and latency of "print a number" Python submissions through the whole standalone
 * service (HTTP, SQLite, queue, sandbox) against the same program spawned natively, with the
 * same concurrency, in the same run. Writes its figures to docs/benchmarks.md.
 *
 *   npm run bench                     (BENCH_TOTAL=200 BENCH_CONCURRENCY=<2 x cores> by default)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from '../test/helpers/http.js';
import { ROOT, removeServerDirs, startServer } from '../test/helpers/server.js';

const TOTAL = Number(process.env.BENCH_TOTAL ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2 * os.availableParallelism());
const WARMUP = 10;
const PROGRAM = 'print(2 ** 10)\n';
const PYTHON = '/usr/bin/python3';

interface Figures {
  readonly throughputPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `total` jobs with at most `concurrency` at once; returns throughput and latencies. */
async function measure(total: number, concurrency: number, job: () => Promise<void>): Promise<Figures> {
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

function nativeRun(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-B', '-u', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && out === '1024\n' ? resolve() : reject(new Error(`native run failed: ${code} ${out}`))));
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-'));
  const file = path.join(dir, 'main.py');
  fs.writeFileSync(file, PROGRAM);
  const server = await startServer({ slots: os.availableParallelism() });
  try {
    const viaHttp = async (): Promise<void> => {
      const r = await request('POST', `${server.url}/v1/submissions?wait=true`, { language: 'python', source: PROGRAM });
      if (r.status !== 201 || r.body.verdict !== 'accepted' || r.body.stdout !== '1024\n') throw new Error(`bad result: ${JSON.stringify(r.body)}`);
    };
    await measure(WARMUP, CONCURRENCY, () => nativeRun(file));
    await measure(WARMUP, CONCURRENCY, viaHttp);
    const native = await measure(TOTAL, CONCURRENCY, () => nativeRun(file));
    const http = await measure(TOTAL, CONCURRENCY, viaHttp);
    const ratio = http.throughputPerS / native.throughputPerS;
    const row = (name: string, f: Figures) => `| ${name} | ${f.throughputPerS.toFixed(1)} | ${f.p50Ms.toFixed(1)} | ${f.p99Ms.toFixed(1)} |`;
    const section = [
      '<!-- http-vs-native:start -->',
      '## Python "print a number": HTTP API vs native spawn',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}.`,
      `${TOTAL} runs at concurrency ${CONCURRENCY} each way, after ${WARMUP} warm-up runs. The service runs standalone with ${os.availableParallelism()} slots;`,
      'each HTTP request is `POST /v1/submissions?wait=true` and counts from sending the request to reading the finished result',
      '(SQLite commit, queue, fresh sandbox with its own cgroup, run, result commit). Native is `python3 -B -u main.py` spawned from Node.',
      '',
      '| path | throughput (runs/s) | p50 latency (ms) | p99 latency (ms) |',
      '|---|---|---|---|',
      row('native spawn', native),
      row('Verdict HTTP API', http),
      '',
      `**Throughput ratio (HTTP / native): ${ratio.toFixed(2)}** (bar: >= 0.80). Reproduce with \`npm run bench\`.`,
      '<!-- http-vs-native:end -->',
    ].join('\n');
    const doc = path.join(ROOT, 'docs/benchmarks.md');
    const current = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '# Benchmarks\n\nEvery figure here is written by a command in `bench/`; rerun it to reproduce.\n';
    const updated = /<!-- http-vs-native:start -->[\s\S]*<!-- http-vs-native:end -->/.test(current)
      ? current.replace(/<!-- http-vs-native:start -->[\s\S]*<!-- http-vs-native:end -->/, section)
      : `${current.trimEnd()}\n\n${section}\n`;
    fs.writeFileSync(doc, updated);
    console.log(section);
  } finally {
    await server.stop();
    removeServerDirs(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
