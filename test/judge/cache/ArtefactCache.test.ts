import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ArtefactCache } from '../../../src/judge/cache/ArtefactCache.js';
import { request } from '../../helpers/http.js';
import { removeServerDirs, startServer, type TestServer } from '../../helpers/server.js';

/** Unit: what is kept, what is refused, and eviction. */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-test-artefacts-'));
const slot = { index: 0, uid: process.getuid!(), gid: process.getgid!() };

function box(name: string, files: Record<string, string | { link: string }>): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    if (typeof content === 'string') fs.writeFileSync(path.join(dir, rel), content, { mode: 0o755 });
    else fs.symlinkSync(content.link, path.join(dir, rel));
  }
  return dir;
}

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('keeps what the compiler added, restores it into a fresh box, and keys on every file', () => {
  const cache = new ArtefactCache(path.join(tmp, 'c1'), 1 << 20);
  const files = [{ name: 'Main.java', content: Buffer.from('class Main {}') }];
  const key = ArtefactCache.key('java', '17', files);
  assert.notEqual(key, ArtefactCache.key('java', '21', files), 'the toolchain version is in the key');
  assert.notEqual(key, ArtefactCache.key('java', '17', [{ name: 'Main.java', content: Buffer.from('class Main { }') }]));
  cache.store(key, box('compiled', { 'Main.java': 'class Main {}', 'Main.class': 'bytecode', 'pkg/Helper.class': 'more', '.cache-go-build/x': 'skip' }), files, Buffer.from('warning'));
  const fresh = box('fresh', {});
  assert.deepEqual(cache.restore(key, fresh, slot), Buffer.from('warning'));
  assert.equal(fs.readFileSync(path.join(fresh, 'Main.class'), 'utf8'), 'bytecode');
  assert.equal(fs.readFileSync(path.join(fresh, 'pkg/Helper.class'), 'utf8'), 'more');
  assert.equal(fs.statSync(path.join(fresh, 'Main.class')).mode & 0o777, 0o755, 'modes (the exec bit) survive');
  assert.equal(fs.existsSync(path.join(fresh, 'Main.java')), false, 'submitted files are not part of the entry');
  assert.equal(fs.existsSync(path.join(fresh, '.cache-go-build')), false);
  cache.close();
});

test('a box holding a link is never cached, so no host file is ever read through it', () => {
  const cache = new ArtefactCache(path.join(tmp, 'c2'), 1 << 20);
  const key = ArtefactCache.key('c', '12', []);
  cache.store(key, box('linked', { main: 'binary', leak: { link: '/etc/passwd' } }), [], Buffer.alloc(0));
  assert.equal(cache.restore(key, box('fresh2', {}), slot), null);
  cache.close();
});

test('least recently used entries go first when the cache is full', () => {
  const cache = new ArtefactCache(path.join(tmp, 'c3'), 2500);
  const keys = ['a', 'b', 'c'].map((n) => ArtefactCache.key('c', '12', [{ name: n, content: Buffer.from(n) }]));
  cache.store(keys[0], box('e0', { main: 'x'.repeat(1000) }), [], Buffer.alloc(0));
  cache.store(keys[1], box('e1', { main: 'y'.repeat(1000) }), [], Buffer.alloc(0));
  assert.notEqual(cache.restore(keys[0], box('r0', {}), slot), null, 'touch a: b is now the oldest');
  cache.store(keys[2], box('e2', { main: 'z'.repeat(1000) }), [], Buffer.alloc(0));
  assert.equal(cache.restore(keys[1], box('r1', {}), slot), null, 'b was evicted');
  assert.notEqual(cache.restore(keys[0], box('r2', {}), slot), null);
  assert.notEqual(cache.restore(keys[2], box('r3', {}), slot), null);
  cache.close();
});

/** Through the service: the second identical submission is not compiled again. */
let server: TestServer;
before(async () => {
  server = await startServer({ slots: 1 });
});
after(async () => {
  await server.stop();
  removeServerDirs(server);
});

async function compilations(): Promise<{ hit: number; miss: number }> {
  const text: string = (await request('GET', `${server.url}/metrics`)).body;
  const count = (cached: string) => Number(new RegExp(`verdict_compilations_total\\{cached="${cached}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { hit: count('true'), miss: count('false') };
}

test('an identical submission reuses the compiled artefacts; one with compile options never does', async () => {
  const source = '#include <stdio.h>\nint main(void){ int n; scanf("%d", &n); printf("%d\\n", n * 2); return 0; }\n';
  const submit = async (stdin: string, extra: Record<string, unknown> = {}) =>
    (await request('POST', `${server.url}/v1/submissions?wait=true`, { language: 'c', source, stdin, ...extra })).body;
  const before0 = await compilations();
  assert.equal((await submit('21')).stdout, '42\n');
  assert.equal((await submit('50')).stdout, '100\n');
  const after2 = await compilations();
  assert.equal(after2.miss - before0.miss, 1, 'compiled once');
  assert.equal(after2.hit - before0.hit, 1, 'reused once');
  assert.equal((await submit('1', { compile_options: ['-O0'] })).stdout, '2\n');
  assert.equal((await submit('2', { compile_options: ['-O0'] })).stdout, '4\n');
  const after4 = await compilations();
  assert.equal(after4.hit - after2.hit, 0, 'never from the cache with compile options');
  assert.equal(after4.miss - after2.miss, 2, 'each compiled (and counted)');
});
