import fs from 'node:fs';
import type { CgroupFs } from './Cgroup.js';

/** The real cgroupfs. Writes are single write(2) calls: the kernel parses each one as a command. */
export const nodeCgroupFs: CgroupFs = {
  read: (file) => fs.readFileSync(file, 'utf8'),
  write: (file, value) => fs.writeFileSync(file, value),
  writeAsync: (file, value) => fs.promises.writeFile(file, value),
  exists: (file) => fs.existsSync(file),
  mkdir: (dir) => fs.mkdirSync(dir, { recursive: true }),
  rmdir: (dir) => fs.rmdirSync(dir),
  rmdirAsync: (dir) => fs.promises.rmdir(dir),
  list: (dir) => fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name),
};

export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when a process with this pid exists (owned by anyone). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Name of this process's own subtree; the pid lets a later start tell whether its owner died. */
export function instanceDirName(pid: number): string {
  return `i-${pid}`;
}

export function ownerPid(dirName: string): number | null {
  const m = /^i-(\d+)$/.exec(dirName);
  return m ? Number(m[1]) : null;
}
