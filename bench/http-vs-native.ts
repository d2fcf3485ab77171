/**
 * Throughput and latency of "print a number" Python submissions through the whole standalone
 * service (HTTP, SQLite, queue, sandbox) against the same program spawned natively, with the
 * same concurrency, in the same run. Writes its figures to docs/benchmarks.md.
 *
 *   npm run bench          (BENCH_TOTAL=300, BENCH_CONCURRENCY=2 x cores by default)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from '../test/helpers/http.js';
import { removeServerDirs, startServer } from '../test/helpers/server.js';
import { machineLine, measure, writeSection, type Figures } from './report.js';

const TOTAL = Number(process.env.BENCH_TOTAL ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2 * os.availableParallelism());
const WARMUP = 20;
const PROGRAM = 'print(2 ** 10)\n';
const PYTHON = '/usr/bin/python3';

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
    writeSection('http-vs-native', [
      '## Python "print a number": HTTP API vs native spawn (`bench/http-vs-native.ts`)',
      '',
      machineLine(),
      `${TOTAL} runs at concurrency ${CONCURRENCY} each way, after ${WARMUP} warm-up runs. The service runs standalone with its defaults`,
      `(${os.availableParallelism()} slots, warm sandbox); each HTTP request is \`POST /v1/submissions?wait=true\`, timed from sending it`,
      'to reading the finished result (SQLite commit and fsync, queue, sandbox run in its own cgroup, result commit).',
      'Native is `python3 -B -u main.py` spawned from Node.',
      '',
      '| path | throughput (runs/s) | p50 latency (ms) | p99 latency (ms) |',
      '|---|---|---|---|',
      row('native spawn', native),
      row('Verdict HTTP API', http),
      '',
      `**Throughput ratio (HTTP / native): ${ratio.toFixed(2)}** (bar: >= 0.80). Reproduce with \`npm run bench\`.`,
    ].join('\n'));
  } finally {
    await server.stop();
    removeServerDirs(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
