import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SandboxUnavailable } from '../errors.js';
import { BackgroundTasks } from '../background.js';
import { deadInstances, instanceDirName } from '../instance.js';
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
  readonly slotIndex: number;
  remove(): Promise<void>;
}

export interface BoxSpace {
  /** Size of each slot's box file system (KiB). */
  readonly sizeKb: number;
  /** Files and directories each slot's box file system may hold. */
  readonly inodes: number;
}

/**
 * Makes a fresh directory per submission. Files are written by the service before any program
 * of the submission has run, into a directory nobody else can enter, so nothing planted by a
 * program can redirect those writes; afterwards the service never writes into a box again, and
 * removal does not follow symlinks.
 *
 * With `space`, each slot's boxes live on a tmpfs of the slot's own, capped in size and inodes:
 * a program can fill only its own slot's, never the host's file systems nor another slot's, and
 * the slot's next box is made only once the previous one is gone. Writes there are also charged
 * to the writing run's memory limit.
 */
export class BoxFactory {
  /** This instance's directory, holding one directory per slot. */
  readonly instanceDir: string;
  private seq = 0;
  private readonly removals = new BackgroundTasks(() => undefined);
  /** Per slot, the removal of its last box; the slot's next box waits for it. */
  private readonly lastRemoval = new Map<number, Promise<void>>();
  private readonly mounted = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly space?: BoxSpace,
  ) {
    this.instanceDir = path.join(root, instanceDirName(process.pid));
  }

  /** Removes boxes that a dead instance left behind, then makes this instance's directory. */
  init(): void {
    makeSearchableDir(this.root);
    for (const name of deadInstances(fs.readdirSync(this.root))) removeTree(path.join(this.root, name));
    makeSearchableDir(this.instanceDir);
  }

  /** The directory of one slot's boxes (every box of the slot is a direct child of it). */
  slotDir(slot: Slot): string {
    const dir = path.join(this.instanceDir, `slot-${slot.index}`);
    if (!this.mounted.has(dir)) {
      makeSearchableDir(dir);
      if (this.space && !isMountPoint(dir)) {
        const opts = `size=${this.space.sizeKb}k,nr_inodes=${this.space.inodes},mode=0711,nosuid,nodev`;
        const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'verdict-boxes', dir], { encoding: 'utf8' });
        if (r.status !== 0) throw new SandboxUnavailable(`cannot mount the box file system at ${dir}: ${(r.stderr || r.error?.message || '').trim()}`);
      }
      this.mounted.add(dir);
    }
    return dir;
  }

  async create(slot: Slot, files: readonly BoxFile[]): Promise<Box> {
    await this.lastRemoval.get(slot.index);
    const dir = path.join(this.slotDir(slot), `box-${++this.seq}`);
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
      slotIndex: slot.index,
      remove: async () => {
        await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 });
      },
    };
  }

  /** Removes a box after its result is out; the slot's next box and close() wait for it. */
  removeLater(box: Box): void {
    const removal = box.remove();
    this.lastRemoval.set(box.slotIndex, removal.catch(() => undefined));
    this.removals.track(removal);
  }

  async close(): Promise<void> {
    await this.removals.drain();
    removeTree(this.instanceDir);
    this.mounted.clear();
  }
}

/** Removes a tree that may hold slot mounts. */
function removeTree(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const sub = path.join(dir, name);
    if (isMountPoint(sub)) unmount(sub);
  }
  fs.rmSync(dir, { recursive: true, force: true });
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
