import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zipSync } from 'fflate';
import { ArchiveRejected, extractArchive } from '../../../src/compat/judge0/zip.js';

/** additional_files: flat archives only, sizes bounded before anything is inflated. */
const zip = (files: Record<string, string | Uint8Array>, level: 0 | 9 = 9): Buffer =>
  Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([n, c]) => [n, typeof c === 'string' ? Buffer.from(c) : c])), { level }));

test('stored and deflated files come out byte for byte; the main file and directories are skipped', () => {
  for (const level of [0, 9] as const) {
    const files = extractArchive(zip({ 'a.txt': 'alpha', 'main.py': 'ignored', 'dir/': new Uint8Array(0), 'b.bin': new Uint8Array([0, 255]) }, level), 'main.py', 1 << 20, 10);
    assert.deepEqual(Object.fromEntries(files.map((f) => [f.name, [...f.content]])), { 'a.txt': [...Buffer.from('alpha')], 'b.bin': [0, 255] });
  }
});

test('a zip bomb is refused from its directory, before it is inflated', () => {
  const bomb = zip({ 'big.txt': new Uint8Array(50 << 20) });
  assert.ok(bomb.length < 100_000);
  assert.throws(() => extractArchive(bomb, 'main.c', 1 << 20, 10), (err: unknown) => err instanceof ArchiveRejected && /more than 1024 KB/.test(err.message));
});

test('nested paths, too many files and garbage are refused with a reason', () => {
  assert.throws(() => extractArchive(zip({ '../evil.sh': 'x' }), 'main.c', 1 << 20, 10), /directory/);
  assert.throws(() => extractArchive(zip({ 'a/b.txt': 'x' }), 'main.c', 1 << 20, 10), /directory/);
  assert.throws(() => extractArchive(zip({ a: '1', b: '2', c: '3' }), 'main.c', 1 << 20, 2), /more than 2 files/);
  assert.throws(() => extractArchive(Buffer.from('no zip here'), 'main.c', 1 << 20, 2), /not a readable zip/);
});
