import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request, waitFinished } from '../helpers/http.js';
import { processesOfUids, runCgroupsLeft } from '../helpers/leaks.js';
import { removeServerDirs, startServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

/**
 * Nothing lost: SIGKILL the service while submissions are queued and running, start it again
 * on the same data dir, and every submission that got a 201 finishes, once, correctly.
 */
test('every accepted submission finishes after a SIGKILL and a restart', async () => {
  const first = await startServer({ slots: 2 });
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const r = await request('POST', `${first.url}/v1/submissions`, {
      language: 'python',
      source: `import time\ntime.sleep(0.6)\nprint(${i} * 2)\n`,
    });
    assert.equal(r.status, 201);
    ids.push(r.body.id);
  }
  // Wait until some are running (and so some are still queued), then crash.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const states = await Promise.all(ids.map(async (id) => (await request('GET', `${first.url}/v1/submissions/${id}`)).body.status));
    if (states.includes('running')) break;
    assert.ok(Date.now() < deadline, 'a submission started running');
    await new Promise((r) => setTimeout(r, 50));
  }
  await first.kill();
  // bwrap --die-with-parent takes every sandbox down with the service.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(processesOfUids(first.uidBase, 2), [], 'no sandbox outlives the killed service');

  const second = await startServer({ dataDir: first.dataDir, sandboxDir: first.sandboxDir, uidBase: first.uidBase, slots: 2 });
  try {
    for (const [i, id] of ids.entries()) {
      const result = await waitFinished(second.url, id, 60_000);
      assert.equal(result.verdict, 'accepted', JSON.stringify(result));
      assert.equal(result.stdout, `${i * 2}\n`);
    }
  } finally {
    assert.equal(await second.stop(), 0);
  }
  assert.deepEqual(runCgroupsLeft('verdict-test'), [], 'the restart swept the killed instance\'s cgroups');
  removeServerDirs(second);
});

test('SIGTERM lets a run in flight finish, stores it, and exits 0', async () => {
  const server = await startServer({ slots: 1 });
  const r = await request('POST', `${server.url}/v1/submissions`, { language: 'python', source: 'import time\ntime.sleep(1)\nprint("drained")\n' });
  assert.equal(r.status, 201);
  await until('the run has started', async () => (await request('GET', `${server.url}/v1/submissions/${r.body.id}`)).body.status === 'running', 15_000, 20);
  assert.equal(await server.stop(), 0, 'clean exit after draining');
  // Start again on the same data: the result was stored before the first process exited.
  const again = await startServer({ dataDir: server.dataDir, sandboxDir: server.sandboxDir, uidBase: server.uidBase, slots: 1 });
  try {
    const result = await request('GET', `${again.url}/v1/submissions/${r.body.id}`);
    assert.equal(result.body.status, 'finished');
    assert.equal(result.body.stdout, 'drained\n');
  } finally {
    await again.stop();
    removeServerDirs(again);
  }
});
