import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { request, waitFinished } from '../helpers/http.js';
import { startReceiver } from '../helpers/receiver.js';
import { ROOT } from '../helpers/server.js';
import { until as waitUntil } from '../helpers/wait.js';

/**
 * The distributed mode, every part real and started by scripts/cluster.sh: PostgreSQL, Kafka,
 * the relay, 2 workers, 2 API replicas and nginx. Every test holds the invariant that matters:
 * every id that got a 201 reaches exactly one final result.
 */
let cluster: TestCluster;

before(() => {
  cluster = startCluster({
    // Short enough that a dead worker's submission is taken over, and a missed delivery swept,
    // within a test's patience.
    VERDICT_LEASE_MS: '3000',
    VERDICT_CDC_STALE_AFTER_MS: '3000',
    VERDICT_CDC_SWEEP_INTERVAL_MS: '1000',
    VERDICT_SHUTDOWN_GRACE_MS: '5000',
    // The callback receiver of a test is on loopback.
    VERDICT_CALLBACK_ALLOW_PRIVATE: 'true',
  });
});

after(() => {
  cluster?.down();
});

const PROGRAMS = [
  { language: 'python', source: 'print(int(input()) * 2)\n', stdin: '21\n', stdout: '42\n' },
  { language: 'c', source: '#include <stdio.h>\nint main(void){int n; scanf("%d",&n); printf("%d\\n", n*2); return 0;}\n', stdin: '21\n', stdout: '42\n' },
  { language: 'javascript', source: 'const n = Number(require("fs").readFileSync(0, "utf8")); console.log(n * 2);\n', stdin: '21\n', stdout: '42\n' },
  { language: 'bash', source: 'read n\necho $((n * 2))\n', stdin: '21\n', stdout: '42\n' },
];

async function submit(body: object): Promise<{ id: string; replica: string }> {
  const r = await request('POST', `${cluster.url}/v1/submissions`, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id, replica: r.headers.get('x-verdict-replica') ?? '' };
}

/** Every id reached a final result, and exactly one worker stored it. */
async function assertEachFinishedOnce(ids: readonly string[], timeoutMs = 90_000): Promise<any[]> {
  const results = await Promise.all(ids.map((id) => waitFinished(cluster.url, id, timeoutMs)));
  const stored = cluster.finishedLog();
  for (const id of ids) {
    const by = stored.filter((e) => e.id === id);
    assert.equal(by.length, 1, `${id} stored ${by.length} times: ${JSON.stringify(by)}`);
  }
  return results;
}

async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: cluster.databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Runs a fault, then brings every part back whatever happened, so one failure stays one. */
async function withFault(fault: () => Promise<void>): Promise<void> {
  try {
    await fault();
  } finally {
    cluster.up();
  }
}

/** Waits until a worker claimed the submission; its name (worker-1, worker-2) from the claim. */
async function runningOn(id: string): Promise<string> {
  let holder = '';
  await until('the submission is running', async () => {
    const rows = await sql<{ claimed_by: string | null }>('SELECT claimed_by FROM submissions WHERE id = $1', [id]);
    holder = rows[0]?.claimed_by ?? '';
    return holder !== '';
  });
  return holder.split(':')[0];
}

/** Conditions here query PostgreSQL or a process table: polled every 100 ms, not faster. */
function until(what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  return waitUntil(what, cond, timeoutMs, 100);
}

describe('distributed: through the load balancer', () => {
  test('submissions in several languages spread over both replicas and both workers, each finishing once', async () => {
    const sent: Array<{ id: string; replica: string; expected: string }> = [];
    for (let round = 0; round < 3; round++) {
      for (const p of PROGRAMS) {
        const { id, replica } = await submit({ language: p.language, source: p.source, stdin: p.stdin });
        sent.push({ id, replica, expected: p.stdout });
      }
    }
    const results = await assertEachFinishedOnce(sent.map((s) => s.id));
    for (const [i, r] of results.entries()) {
      assert.equal(r.verdict, 'accepted', JSON.stringify(r));
      assert.equal(r.stdout, sent[i].expected);
    }
    assert.deepEqual(new Set(sent.map((s) => s.replica)), new Set(['api-1', 'api-2']), 'nginx spreads requests over both replicas');
    const workers = new Set(cluster.finishedLog().filter((e) => sent.some((s) => s.id === e.id)).map((e) => e.worker));
    assert.deepEqual(workers, new Set(['worker-1', 'worker-2']), 'both workers ran submissions');
  });

  test('?wait=true answers with the result, woken by the result\'s notification', async () => {
    const r = await request('POST', `${cluster.url}/v1/submissions?wait=true`, { language: 'python', source: 'print(6 * 7)\n' });
    assert.equal(r.status, 201);
    assert.equal(r.body.status, 'finished');
    assert.equal(r.body.stdout, '42\n');
  });

  test('the event stream through the load balancer follows a run to finished; the worker calls back', async () => {
    const receiver = await startReceiver();
    try {
      const { id } = await submit({ language: 'python', source: 'import time\ntime.sleep(1)\nprint("streamed")\n', callback_url: `${receiver.url}/done` });
      const res = await fetch(`${cluster.url}/v1/submissions/${id}/events`, { signal: AbortSignal.timeout(60_000) });
      assert.equal(res.status, 200);
      // The text resolves only once the replica ends the stream, after finished.
      const states = [...(await res.text()).matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]) as { status: string; stdout: string | null });
      assert.deepEqual(states.map((s) => s.status).slice(-2), ['running', 'finished'], 'the claim is announced too');
      assert.equal(states.at(-1)?.stdout, 'streamed\n');
      const [callback] = await receiver.waitFor('/done', 1);
      assert.deepEqual(JSON.parse(callback.body), await waitFinished(cluster.url, id));
    } finally {
      await receiver.close();
    }
  });

  test('GET /v1/languages lists what the workers probed, with versions', async () => {
    const r = await request('GET', `${cluster.url}/v1/languages`);
    assert.equal(r.status, 200);
    const python = r.body.find((l: { id: string }) => l.id === 'python');
    assert.match(python.version, /^3\.\d+/);
  });
});

describe('distributed: faults', () => {
  test('kill -9 a worker mid-run: its submission is taken over and finishes once', () => withFault(async () => {
    const { id } = await submit({ language: 'python', source: 'import time\ntime.sleep(2)\nprint("done")\n' });
    const worker = await runningOn(id);
    await cluster.kill(worker);
    const others = [];
    for (let i = 0; i < 4; i++) others.push((await submit({ language: 'bash', source: `echo ${i}\n` })).id);
    const [result] = await assertEachFinishedOnce([id, ...others]);
    assert.equal(result.stdout, 'done\n');
  }));

  test('SIGTERM a worker mid-run: it finishes the run and stores the result before it exits', () => withFault(async () => {
    const { id } = await submit({ language: 'python', source: 'import time\ntime.sleep(1.5)\nprint("drained")\n' });
    const worker = await runningOn(id);
    const pid = cluster.pid(worker);
    assert.ok(pid);
    process.kill(pid, 'SIGTERM');
    await until('the worker exits', async () => cluster.pid(worker) === null, 30_000);
    const [result] = await assertEachFinishedOnce([id]);
    assert.equal(result.stdout, 'drained\n');
    assert.deepEqual(cluster.finishedLog().filter((e) => e.id === id).map((e) => e.worker), [worker], 'the draining worker stored it');
  }));

  test('kill the relay and start it again: what was accepted meanwhile finishes', () => withFault(async () => {
    await cluster.kill('relay');
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await submit({ language: 'bash', source: `echo relay-${i}\n` })).id);
    cluster.up();
    const results = await assertEachFinishedOnce(ids);
    assert.deepEqual(results.map((r) => r.stdout), ids.map((_, i) => `relay-${i}\n`));
  }));

  test('restart Kafka: submissions accepted while it is down finish once it is back', () => withFault(async () => {
    spawnSync('bash', [path.join(ROOT, 'scripts/kafka.sh'), 'stop', path.join(cluster.dir, 'kafka')], { encoding: 'utf8' });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await submit({ language: 'bash', source: `echo kafka-${i}\n` })).id);
    cluster.up();
    const results = await assertEachFinishedOnce(ids, 120_000);
    assert.deepEqual(results.map((r) => r.stdout), ids.map((_, i) => `kafka-${i}\n`));
  }));

  test('stop PostgreSQL: 503 with a clear message, nothing half-accepted, all accepted work finishes after', () => withFault(async () => {
    const before = [];
    for (let i = 0; i < 3; i++) before.push((await submit({ language: 'python', source: `import time\ntime.sleep(0.5)\nprint(${i})\n` })).id);
    spawnSync('bash', [path.join(ROOT, 'scripts/pg-cluster.sh'), 'stop', path.join(cluster.dir, 'postgres')], { encoding: 'utf8' });
    const refused = await request('POST', `${cluster.url}/v1/submissions`, { language: 'bash', source: 'echo never\n' });
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'store_unavailable');
    assert.match(refused.body.error.message, /PostgreSQL/);
    cluster.up();
    const after = [];
    for (let i = 0; i < 3; i++) after.push((await submit({ language: 'bash', source: `echo pg-${i}\n` })).id);
    await assertEachFinishedOnce([...before, ...after], 120_000);
    // File contents are stored base64-encoded: search for them as such, and show that the
    // query finds an accepted one, so the count of the refused one means something.
    const stored = async (source: string): Promise<number> =>
      Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM submissions WHERE files_json LIKE $1`, [`%${Buffer.from(source).toString('base64')}%`]))[0].n);
    assert.equal(await stored('echo pg-0\n'), 1, 'an accepted submission is found by its source');
    assert.equal(await stored('echo never\n'), 0, 'the refused submission was not stored');
  }));

  test('delete the replication slot: the sweeper covers what the stream missed', () => withFault(async () => {
    // The relay reconnects at once, so its walsender is terminated until a drop wins the race.
    await until('the replication slot is dropped', async () => {
      await sql(`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'verdict_relay' AND active_pid IS NOT NULL`);
      try {
        const dropped = await sql(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'verdict_relay'`);
        return dropped.length === 1;
      } catch {
        return false;
      }
    });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await submit({ language: 'bash', source: `echo slot-${i}\n` })).id);
    const results = await assertEachFinishedOnce(ids, 120_000);
    assert.deepEqual(results.map((r) => r.stdout), ids.map((_, i) => `slot-${i}\n`));
  }));
});
