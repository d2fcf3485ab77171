import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { deadInstances, instanceDirName, type BoxFile, type Slot } from '../../sandbox/index.js';

/** One cached compilation: what the compile step left in the box, and what the compiler said. */
interface Entry {
  readonly dir: string;
  readonly files: ReadonlyArray<{ readonly rel: string; readonly mode: number; readonly size: number }>;
  readonly compileOutput: Buffer;
  readonly bytes: number;
}

/** Largest single compilation we keep (a statically linked binary fits). */
const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
/** Deepest directory the compile step may create that we copy (Java packages). */
const MAX_DEPTH = 8;

/**
 * Compiled artefacts by content hash, so a source compiled once is not compiled again.
 *
 * Safe because: entries are made only from compile steps whose every argument Verdict chose (a
 * submission with compile_options can run arbitrary programs at compile time, which could plant a
 * different binary for a source someone else later submits); the key covers the language, its
 * toolchain version and every file's name and content; artefacts are read back with O_NOFOLLOW,
 * regular files only, size-capped, so a link left in the box cannot make the service read a host
 * file; and a hit is copied into a fresh box before anything of the new submission runs.
 */
export class ArtefactCache {
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;
  private readonly instanceDir: string;
  private seq = 0;

  constructor(
    root: string,
    private readonly maxBytes: number,
  ) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    for (const name of deadInstances(fs.readdirSync(root))) fs.rmSync(path.join(root, name), { recursive: true, force: true });
    this.instanceDir = path.join(root, instanceDirName(process.pid));
    fs.mkdirSync(this.instanceDir, { recursive: true, mode: 0o700 });
  }

  static key(language: string, version: string, files: readonly BoxFile[]): string {
    const h = createHash('sha256').update(`${language}\0${version}\0`);
    for (const f of files) h.update(`${f.name}\0${f.content.length}\0`).update(f.content);
    return h.digest('hex');
  }

  /** Copies a cached compilation into a fresh box; returns the compiler output, or null on a miss. */
  restore(key: string, boxDir: string, slot: Slot): Buffer | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    // Most recently used last: Map keeps insertion order, so re-inserting refreshes it.
    this.entries.delete(key);
    this.entries.set(key, entry);
    for (const file of entry.files) {
      const target = path.join(boxDir, file.rel);
      const parent = path.dirname(target);
      if (parent !== boxDir && !fs.existsSync(parent)) {
        fs.mkdirSync(parent, { recursive: true, mode: 0o755 });
        for (let d = parent; d !== boxDir; d = path.dirname(d)) fs.chownSync(d, slot.uid, slot.gid);
      }
      fs.copyFileSync(path.join(entry.dir, file.rel), target, fs.constants.COPYFILE_EXCL);
      fs.chmodSync(target, file.mode);
      fs.chownSync(target, slot.uid, slot.gid);
    }
    return entry.compileOutput;
  }

  /** Keeps what a trusted compile step added to the box (everything but the submitted files). */
  store(key: string, boxDir: string, submitted: readonly BoxFile[], compileOutput: Buffer): void {
    if (this.maxBytes <= 0 || this.entries.has(key)) return;
    const skip = new Set(submitted.map((f) => f.name));
    const found: Array<{ rel: string; mode: number; size: number }> = [];
    let bytes = compileOutput.length;
    const walk = (rel: string, depth: number): boolean => {
      for (const name of fs.readdirSync(path.join(boxDir, rel))) {
        const r = rel ? path.join(rel, name) : name;
        if (!rel && (skip.has(name) || name.startsWith('.cache-'))) continue;
        const st = fs.lstatSync(path.join(boxDir, r));
        if (st.isDirectory()) {
          if (depth >= MAX_DEPTH || !walk(r, depth + 1)) return false;
        } else if (st.isFile()) {
          bytes += st.size;
          if (bytes > MAX_ENTRY_BYTES) return false;
          found.push({ rel: r, mode: st.mode & 0o755, size: st.size });
        } else {
          return false; // a link, FIFO or device: nothing a compiler makes; do not cache this one
        }
      }
      return true;
    };
    if (!walk('', 0) || found.length === 0) return;
    const dir = path.join(this.instanceDir, `e-${++this.seq}`);
    try {
      for (const file of found) {
        const target = path.join(dir, file.rel);
        fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
        // O_NOFOLLOW: the file was a regular file at lstat time; refuse if it became a link since.
        const fd = fs.openSync(path.join(boxDir, file.rel), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
        try {
          const data = Buffer.alloc(file.size);
          if (fs.readSync(fd, data, 0, file.size, 0) !== file.size) throw new Error(`${file.rel} changed while it was read`);
          fs.writeFileSync(target, data, { mode: 0o600 });
        } finally {
          fs.closeSync(fd);
        }
      }
    } catch {
      fs.rmSync(dir, { recursive: true, force: true });
      return;
    }
    this.entries.set(key, { dir, files: found, compileOutput, bytes });
    this.totalBytes += bytes;
    this.evict();
  }

  close(): void {
    fs.rmSync(this.instanceDir, { recursive: true, force: true });
    this.entries.clear();
    this.totalBytes = 0;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.totalBytes <= this.maxBytes) break;
      this.entries.delete(key);
      this.totalBytes -= entry.bytes;
      fs.rmSync(entry.dir, { recursive: true, force: true });
    }
  }
}
