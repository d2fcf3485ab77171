import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request, waitFinished } from '../helpers/http.js';
import { removeServerDirs, startServer, type TestServer } from '../helpers/server.js';

/** GET /v1/submissions/:id/events against a real standalone server. */
let server: TestServer;

before(async () => {
  // One slot, so a submission sent behind a slow one is seen queued first.
  server = await startServer({ slots: 1 });
});

after(async () => {
  assert.equal(await server.stop(), 0);
  removeServerDirs(server);
});

interface ServerSentEvent {
  readonly event: string;
  readonly id: string;
  readonly data: any;
}

interface EventStream {
  readonly status: number;
  readonly headers: Headers;
  /** Every event, once the server ended the stream. */
  readonly done: Promise<ServerSentEvent[]>;
}

/** Opens an event stream and parses it as the HTML standard's EventSource would. */
async function openEvents(url: string, headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<EventStream> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  const done = (async () => {
    const events: ServerSentEvent[] = [];
    if (!res.body) return events;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const at = line.indexOf(':');
          fields[line.slice(0, at)] = line.slice(at + 1).replace(/^ /, '');
        }
        if (fields.data !== undefined) events.push({ event: fields.event ?? 'message', id: fields.id ?? '', data: JSON.parse(fields.data) });
      }
    }
    return events;
  })();
  return { status: res.status, headers: res.headers, done };
}

async function submit(body: object): Promise<string> {
  const r = await request('POST', `${server.url}/v1/submissions`, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

test('a queued submission streams queued, running, finished in order, then the stream ends', async () => {
  const blocker = await submit({ language: 'python', source: 'import time\ntime.sleep(1.5)\n' });
  const id = await submit({ language: 'python', source: 'import time\ntime.sleep(0.5)\nprint(42)\n' });
  const stream = await openEvents(`${server.url}/v1/submissions/${id}/events`);
  assert.equal(stream.status, 200);
  assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.equal(stream.headers.get('cache-control'), 'no-cache');
  const events = await stream.done;
  assert.deepEqual(events.map((e) => [e.event, e.id, e.data.status]), [
    ['status', 'queued', 'queued'],
    ['status', 'running', 'running'],
    ['status', 'finished', 'finished'],
  ]);
  assert.equal(events[1].data.verdict, null);
  assert.ok(events[1].data.started_at, 'running carries its start time');
  assert.deepEqual(events[2].data, await waitFinished(server.url, id), 'the last event is what GET returns');
  await waitFinished(server.url, blocker);
});

test('a finished submission streams one event and ends at once', async () => {
  const id = await submit({ language: 'bash', source: 'echo done' });
  await waitFinished(server.url, id);
  const stream = await openEvents(`${server.url}/v1/submissions/${id}/events`, {}, 5000);
  const events = await stream.done;
  assert.equal(events.length, 1);
  assert.equal(events[0].data.stdout, 'done\n');
});

test('a client reconnecting after finished (Last-Event-ID: finished) gets 204, which stops EventSource', async () => {
  const id = await submit({ language: 'bash', source: 'echo once' });
  await waitFinished(server.url, id);
  const r = await fetch(`${server.url}/v1/submissions/${id}/events`, { headers: { 'last-event-id': 'finished' } });
  assert.equal(r.status, 204);
});

test('an unknown id is a JSON 404 before any stream starts', async () => {
  const r = await request('GET', `${server.url}/v1/submissions/00000000-0000-0000-0000-000000000000/events`);
  assert.equal(r.status, 404);
  assert.match(r.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(r.body.error.code, 'submission_not_found');
});

test('the OpenAPI document describes the route as text/event-stream', async () => {
  const doc = (await request('GET', `${server.url}/openapi.json`)).body;
  const route = doc.paths['/v1/submissions/{id}/events'].get;
  assert.ok(route.responses['200'].content['text/event-stream'], JSON.stringify(route.responses));
  assert.ok(route.responses['404']);
});

test('stopping the server ends the streams still open, and it exits cleanly', async () => {
  const other = await startServer({ slots: 1 });
  try {
    await request('POST', `${other.url}/v1/submissions`, { language: 'python', source: 'import time\ntime.sleep(1)\n' });
    const waiting = await request('POST', `${other.url}/v1/submissions`, { language: 'bash', source: 'echo later' });
    const stream = await openEvents(`${other.url}/v1/submissions/${waiting.body.id}/events`);
    const began = Date.now();
    assert.equal(await other.stop(), 0);
    const events = await stream.done;
    assert.equal(events[0].data.status, 'queued');
    assert.ok(Date.now() - began < 15_000, 'the open stream did not hold the shutdown');
  } finally {
    await other.stop();
    removeServerDirs(other);
  }
});
