/**
 * Throughput and latency of "print a number" Python submissions through the whole standalone
 * service (HTTP, SQLite, queue, sandbox) against the same program spawned natively, with the
 * same concurrency, in the same run. Writes its figures to docs/benchmarks.md.
 *
 *   npm run bench     (BENCH_TOTAL=600 per round, BENCH_ROUNDS=7, BENCH_WARMUP=2000, BENCH_CONCURRENCY=2 x cores)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeServerDirs, startServer } from '../test/helpers/server.js';
import { JsonClient } from './client.js';
import { interleaved, machineLine, measure, medianRoundRatio, writeSection, type Figures } from './report.js';

const TOTAL = Number(process.env.BENCH_TOTAL ?? 600);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2 * os.availableParallelism());
/**
 * Requests before measuring. A fresh service's throughput climbs over its first thousand or two
 * requests (the process warming up, not its database: a restart on a full one climbs the same),
 * and a long-running service is what is measured. The warm-up is timed in blocks and reported,
 * so the climb is seen in every run; native spawns need little.
 */
const WARMUP_HTTP = Number(process.env.BENCH_WARMUP ?? 2000);
const WARMUP_BLOCKS = 5;
const WARMUP_NATIVE = 200;
const PROGRAM = 'print(2 ** 10)\n';
const PYTHON = '/usr/bin/python3';

function nativeRun(file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-B', '-u', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && out === '1024\n' ? resolve() : reject(new Error(`native run failed: ${code} ${out}`))));
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bench-'));
  const file = path.join(dir, 'main.py');
  fs.writeFileSync(file, PROGRAM);
  const server = await startServer({ slots: os.availableParallelism() });
  const client = new JsonClient(server.url);
  try {
    const viaHttp = async (): Promise<void> => {
      const r = await client.request('POST', '/v1/submissions?wait=true', { language: 'python', source: PROGRAM });
      if (r.status !== 201 || r.body.verdict !== 'accepted' || r.body.stdout !== '1024\n') throw new Error(`bad result: ${JSON.stringify(r.body)}`);
    };
    const native = (): Promise<void> => nativeRun(file);
    await measure(WARMUP_NATIVE, CONCURRENCY, native);
    const warmup: number[] = [];
    for (let b = 0; b < WARMUP_BLOCKS; b++) warmup.push((await measure(Math.ceil(WARMUP_HTTP / WARMUP_BLOCKS), CONCURRENCY, viaHttp)).throughputPerS);
    const rounds = await interleaved(ROUNDS, TOTAL, CONCURRENCY, [['native', native], ['http', viaHttp]]);
    const base = rounds.get('native')!;
    const http = rounds.get('http')!;
    const ratio = medianRoundRatio(http, base);
    const row = (name: string, f: Figures, all: number[]) =>
      `| ${name} | ${f.throughputPerS.toFixed(1)} (${all.map((t) => t.toFixed(0)).join(', ')}) | ${f.p50Ms.toFixed(1)} | ${f.p99Ms.toFixed(1)} |`;
    writeSection('http-vs-native', [
      '## Python "print a number": HTTP API vs native spawn (`bench/http-vs-native.ts`)',
      '',
      machineLine(),
      `${TOTAL} runs at concurrency ${CONCURRENCY} each way in each of ${ROUNDS} rounds that alternate between native and HTTP, after`,
      `${WARMUP_HTTP} warm-up requests to the service and ${WARMUP_NATIVE} native runs. A fresh service warms up: in blocks of ${Math.ceil(WARMUP_HTTP / WARMUP_BLOCKS)} its`,
      `warm-up ran at ${warmup.map((t) => t.toFixed(0)).join(', ')} runs/s. The table gives the median round and, in brackets, every round in order; the ratio is the median`,
      `over rounds of the ratio within each round. The service runs standalone with its defaults (${os.availableParallelism()} slots, warm sandbox); each`,
      'HTTP request is `POST /v1/submissions?wait=true` on a kept-alive connection, timed from sending it to reading the finished',
      'result (SQLite commit and fsync, queue, sandbox run in its own cgroup, result commit). Native is `python3 -B -u main.py`',
      'spawned from Node. Client, service and programs share the machine.',
      '',
      '| path | throughput (runs/s; rounds) | p50 latency (ms) | p99 latency (ms) |',
      '|---|---|---|---|',
      row('native spawn', base.median, base.throughputs),
      row('Verdict HTTP API', http.median, http.throughputs),
      '',
      `**Throughput ratio (HTTP / native): ${ratio.toFixed(2)}** (bar: >= 0.80). Reproduce with \`npm run bench\`.`,
    ].join('\n'));
  } finally {
    client.close();
    await server.stop();
    removeServerDirs(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
