import fs from 'node:fs';
import path from 'node:path';
import type { Slot } from '../sandbox/index.js';

/** Most bytes of a compiled box kept in memory to reset it between tests. */
const MAX_SNAPSHOT_BYTES = 128 * 1024 * 1024;
const MAX_DEPTH = 8;

interface SnapshotFile {
  readonly rel: string;
  readonly mode: number;
  readonly data: Buffer;
}

/**
 * The box as the compile step left it, so that every test of a submission starts from the same
 * files: a program cannot pass a note from one test to the next, nor damage its own binary for
 * the tests after. Taken and restored only while no process of the slot is alive; read with
 * O_NOFOLLOW, regular files and directories only, so nothing planted can make the service read or
 * write outside the box.
 */
export class BoxSnapshot {
  private constructor(
    private readonly files: readonly SnapshotFile[],
    private readonly dirs: readonly string[],
  ) {}

  /** The box's files, or null if it holds something a snapshot cannot keep (a link, too much). */
  static take(boxDir: string): BoxSnapshot | null {
    const files: SnapshotFile[] = [];
    const dirs: string[] = [];
    let bytes = 0;
    const walk = (rel: string, depth: number): boolean => {
      for (const name of fs.readdirSync(path.join(boxDir, rel))) {
        const r = rel ? path.join(rel, name) : name;
        // A compiler's throwaway cache in the box is not needed to run.
        if (!rel && name.startsWith('.cache-')) continue;
        const st = fs.lstatSync(path.join(boxDir, r));
        if (st.isDirectory()) {
          dirs.push(r);
          if (depth >= MAX_DEPTH || !walk(r, depth + 1)) return false;
        } else if (st.isFile()) {
          bytes += st.size;
          if (bytes > MAX_SNAPSHOT_BYTES) return false;
          files.push({ rel: r, mode: st.mode & 0o755, data: readNoFollow(path.join(boxDir, r), st.size) });
        } else {
          return false;
        }
      }
      return true;
    };
    return walk('', 0) ? new BoxSnapshot(files, dirs) : null;
  }

  /** Empties the box and writes the snapshot back, owned by the slot. */
  restore(boxDir: string, slot: Slot): void {
    // rmSync removes a link itself, never what it points to.
    for (const name of fs.readdirSync(boxDir)) fs.rmSync(path.join(boxDir, name), { recursive: true, force: true });
    for (const rel of this.dirs) {
      const dir = path.join(boxDir, rel);
      fs.mkdirSync(dir, { mode: 0o755 });
      fs.chownSync(dir, slot.uid, slot.gid);
    }
    for (const f of this.files) {
      const target = path.join(boxDir, f.rel);
      fs.writeFileSync(target, f.data, { flag: 'wx', mode: f.mode });
      fs.chmodSync(target, f.mode);
      fs.chownSync(target, slot.uid, slot.gid);
    }
    fs.chmodSync(boxDir, 0o700);
  }
}

function readNoFollow(file: string, size: number): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const data = Buffer.alloc(size);
    if (fs.readSync(fd, data, 0, size, 0) !== size) throw new Error(`${file} changed while it was read`);
    return data;
  } finally {
    fs.closeSync(fd);
  }
}
