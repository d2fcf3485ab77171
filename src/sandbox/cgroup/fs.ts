import fs from 'node:fs';
import type { CgroupFile, CgroupFs } from './Cgroup.js';
import { CgroupFailed } from '../errors.js';

/** Cgroup files are a line or a short list; one buffer serves every read (they are synchronous). */
const READ_BUFFER = Buffer.alloc(64 * 1024);

function openFile(file: string, mode: 'r' | 'r+'): CgroupFile {
  const fd = fs.openSync(file, mode);
  return {
    read() {
      // From offset 0 every time: the kernel renders the file afresh for a read at the start.
      let text = '';
      for (let at = 0; ; ) {
        const n = fs.readSync(fd, READ_BUFFER, 0, READ_BUFFER.length, at);
        text += READ_BUFFER.toString('utf8', 0, n);
        at += n;
        if (n < READ_BUFFER.length) return text;
      }
    },
    write: (value) => void fs.writeSync(fd, value, 0),
    writeAsync: (value) => new Promise((resolve, reject) => fs.write(fd, value, 0, 'utf8', (err) => (err ? reject(err) : resolve()))),
    close: () => fs.closeSync(fd),
  };
}

/** The real cgroupfs. Writes are single write(2) calls: the kernel parses each one as a command. */
export const nodeCgroupFs: CgroupFs = {
  open: openFile,
  read: (file) => fs.readFileSync(file, 'utf8'),
  write: (file, value) => fs.writeFileSync(file, value),
  writeAsync: (file, value) => fs.promises.writeFile(file, value),
  exists: (file) => fs.existsSync(file),
  mkdir: (dir) => fs.mkdirSync(dir, { recursive: true }),
  rmdir: (dir) => fs.rmdirSync(dir),
  rmdirAsync: (dir) => fs.promises.rmdir(dir),
  list: (dir) => fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name),
};

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The pids in a cgroup (empty if it is gone). */
export function cgroupProcs(cgfs: CgroupFs, dir: string): number[] {
  try {
    return cgfs.read(`${dir}/cgroup.procs`).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/**
 * Removes a cgroup, calling `killAll` while it still has processes. rmdir fails with EBUSY while
 * a killed task is being reaped, so it is retried with a short, growing pause, for about 5 s.
 */
export async function removeCgroup(cgfs: CgroupFs, dir: string, killAll: () => void): Promise<void> {
  // The common case first: the run is over and its processes are gone, so one rmdir does it,
  // with no reads of cgroup.procs and no trip through the thread pool.
  try {
    cgfs.rmdir(dir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'EBUSY') throw new CgroupFailed(`cannot remove cgroup ${dir}: ${(err as Error).message}`, err);
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    if (!cgfs.exists(dir)) return;
    if (cgroupProcs(cgfs, dir).length > 0) killAll();
    try {
      await cgfs.rmdirAsync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY') throw new CgroupFailed(`cannot remove cgroup ${dir}: ${(err as Error).message}`, err);
    }
    await sleepMs(Math.min(50, 1 + attempt));
  }
  throw new CgroupFailed(`cgroup ${dir} still has processes after 5 s`);
}
