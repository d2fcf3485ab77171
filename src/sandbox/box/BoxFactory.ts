import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SandboxUnavailable } from '../errors.js';
import { pidAlive, instanceDirName, ownerPid } from '../cgroup/fs.js';
import { makeSearchableDir } from '../host.js';
import type { Slot } from '../Sandbox.js';

export interface BoxFile {
  /** A plain file name, already validated: no '/', no '..', no NUL. */
  readonly name: string;
  readonly content: Buffer;
}

/** A run's private working directory on the host, bound at /box inside the sandbox. */
export interface Box {
  readonly dir: string;
  remove(): Promise<void>;
}

/**
 * Makes a fresh directory per submission. Files are written by the service before any program
 * of the submission has run, into a directory nobody else can enter, so nothing planted by a
 * program can redirect those writes; afterwards the service never writes into a box again, and
 * removal does not follow symlinks.
 */
export interface BoxSpace {
  /** Size of this instance's box file system (KiB). */
  readonly sizeKb: number;
  /** Files and directories it may hold. */
  readonly inodes: number;
}

export class BoxFactory {
  /** This instance's directory; every box is a direct child of it. */
  readonly instanceDir: string;
  private seq = 0;

  /**
   * With `space`, the instance's boxes live on a tmpfs of their own, capped in size and inodes,
   * so no program can fill the host file system the boxes would otherwise share (/run, say).
   * Writes there are still charged to the writing run's memory limit.
   */
  constructor(
    private readonly root: string,
    private readonly space?: BoxSpace,
  ) {
    this.instanceDir = path.join(root, instanceDirName(process.pid));
  }

  /** Removes boxes that a dead instance left behind, then makes this instance's directory. */
  init(): void {
    makeSearchableDir(this.root);
    for (const name of fs.readdirSync(this.root)) {
      const owner = ownerPid(name);
      if (owner !== null && owner !== process.pid && !pidAlive(owner)) {
        const dir = path.join(this.root, name);
        if (isMountPoint(dir)) unmount(dir);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    makeSearchableDir(this.instanceDir);
    if (this.space && !isMountPoint(this.instanceDir)) {
      const opts = `size=${this.space.sizeKb}k,nr_inodes=${this.space.inodes},mode=0711,nosuid,nodev`;
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'verdict-boxes', this.instanceDir], { encoding: 'utf8' });
      if (r.status !== 0) throw new SandboxUnavailable(`cannot mount the box file system at ${this.instanceDir}: ${(r.stderr || r.error?.message || '').trim()}`);
    }
  }

  create(slot: Slot, files: readonly BoxFile[]): Box {
    const dir = path.join(this.instanceDir, `box-${++this.seq}`);
    fs.mkdirSync(dir, { mode: 0o700 });
    try {
      for (const file of files) {
        const target = path.join(dir, file.name);
        // 'wx': fail rather than write through anything already at that name.
        fs.writeFileSync(target, file.content, { flag: 'wx', mode: 0o644 });
        fs.chownSync(target, slot.uid, slot.gid);
      }
      fs.chownSync(dir, slot.uid, slot.gid);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return {
      dir,
      remove: async () => {
        await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 });
      },
    };
  }

  close(): void {
    if (isMountPoint(this.instanceDir)) unmount(this.instanceDir);
    fs.rmSync(this.instanceDir, { recursive: true, force: true });
  }
}

function isMountPoint(dir: string): boolean {
  try {
    return fs.statSync(dir).dev !== fs.statSync(path.dirname(dir)).dev;
  } catch {
    return false;
  }
}

/** Lazy unmount: a sandbox of a dead instance may still hold it for a moment. */
function unmount(dir: string): void {
  const r = spawnSync('umount', ['-l', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new SandboxUnavailable(`cannot unmount ${dir}: ${(r.stderr || r.error?.message || '').trim()}`);
}
