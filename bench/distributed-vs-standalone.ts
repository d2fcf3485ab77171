/**
 * End-to-end latency and throughput of a trivial program through the whole distributed path
 * (nginx, an API replica, PostgreSQL, change data capture, Kafka, a worker, the result's
 * notification) against the standalone mode, in the same run on the same machine, one after the
 * other. Also the CDC lag the relay measured. Writes its figures to docs/benchmarks.md.
 *
 *   npm run bench          (BENCH_E2E_RUNS=200 by default)
 */
import os from 'node:os';
import { startCluster } from '../test/helpers/cluster.js';
import { JsonClient } from './client.js';
import { removeServerDirs, startServer } from '../test/helpers/server.js';
import { machineLine, measure, writeSection, type Figures } from './report.js';

const RUNS = Number(process.env.BENCH_E2E_RUNS ?? 200);
const CONCURRENCY = 2 * os.availableParallelism();
const PROGRAM = { language: 'bash', source: 'echo 42\n' };

function submitAndRead(client: JsonClient): () => Promise<void> {
  return async () => {
    const r = await client.request('POST', '/v1/submissions?wait=true', PROGRAM);
    if (r.status !== 201 || r.body.status !== 'finished' || r.body.stdout !== '42\n') throw new Error(`bad result: ${r.status} ${JSON.stringify(r.body)}`);
  };
}

async function measureBoth(base: string): Promise<{ single: Figures; loaded: Figures }> {
  const client = new JsonClient(base);
  try {
    const job = submitAndRead(client);
    await measure(20, CONCURRENCY, job);
    return { single: await measure(RUNS, 1, job), loaded: await measure(RUNS, CONCURRENCY, job) };
  } finally {
    client.close();
  }
}

/** The p99 of a Prometheus histogram, read from its cumulative buckets (an upper bound). */
function histogramP99(metrics: string, name: string): number | null {
  const buckets = [...metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))].map((m) => ({ le: Number(m[1]), n: Number(m[2]) }));
  const total = buckets.at(-1)?.n ?? 0;
  if (total === 0) return null;
  return buckets.find((b) => b.n >= 0.99 * total)?.le ?? null;
}

async function main(): Promise<void> {
  const slots = os.availableParallelism();
  const standalone = await startServer({ slots });
  let alone;
  try {
    alone = await measureBoth(standalone.url);
  } finally {
    await standalone.stop();
    removeServerDirs(standalone);
  }
  // The same number of slots in all: one worker process per core, one slot each.
  const cluster = startCluster({ VERDICT_CLUSTER_WORKERS: String(slots), VERDICT_CLUSTER_WORKER_SLOTS: '1' });
  let distributed;
  let lagP99: number | null = null;
  try {
    distributed = await measureBoth(cluster.url);
    const relay = await fetch(`http://127.0.0.1:${Number(new URL(cluster.url).port) + 4}/metrics`);
    lagP99 = histogramP99(await relay.text(), 'verdict_cdc_commit_to_ack_seconds');
  } finally {
    cluster.down();
  }
  const added = distributed.single.p50Ms - alone.single.p50Ms;
  const row = (name: string, f: { single: Figures; loaded: Figures }) =>
    `| ${name} | ${f.single.p50Ms.toFixed(1)} | ${f.single.p99Ms.toFixed(1)} | ${f.loaded.throughputPerS.toFixed(1)} | ${f.loaded.p50Ms.toFixed(1)} | ${f.loaded.p99Ms.toFixed(1)} |`;
  writeSection('distributed-vs-standalone', [
    '## The distributed path vs standalone (`bench/distributed-vs-standalone.ts`)',
    '',
    machineLine(),
    `A trivial program (\`${PROGRAM.source.trim()}\` in bash) as \`POST /v1/submissions?wait=true\`, timed from sending it to reading`,
    `the finished result. Standalone: one process, SQLite, in-process queue, ${slots} slots. Distributed, on the same machine:`,
    `nginx, 2 API replicas, PostgreSQL, the CDC relay, Kafka, ${slots} workers of one slot each; the API learns of the result`,
    `by PostgreSQL's NOTIFY. ${RUNS} runs one at a time, then ${RUNS} at concurrency ${CONCURRENCY}, after 20 warm-up runs each.`,
    '',
    '| path | p50 one at a time (ms) | p99 (ms) | throughput (runs/s) | p50 loaded (ms) | p99 loaded (ms) |',
    '|---|---|---|---|---|---|',
    row('standalone', alone),
    row('distributed', distributed),
    '',
    `**The distributed path adds ${added.toFixed(1)} ms at p50** (bar: <= 50 ms). CDC lag p99 (commit to the broker's`,
    `acknowledgement, from the relay's histogram; an upper bound): ${lagP99 === null ? 'no data' : `<= ${(lagP99 * 1000).toFixed(0)} ms`}.`,
  ].join('\n'));
}

await main();
