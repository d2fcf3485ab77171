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
 * Gives each submission an empty directory. Files are written by the service before any program
 * of the submission has run, into a directory nobody else can enter (no process of the slot is
 * alive then), so nothing planted by a program can redirect those writes; afterwards the service
 * never writes into a box again, and emptying it does not follow symlinks.
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
  /** Slots whose box is handed out and not yet removed. */
  private readonly inUse = new Set<number>();
  /** Slots whose box directory the last removal left empty and ready (its owner is the slot's). */
  private readonly emptied = new Set<number>();

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
    // One box per slot at a time, and it is the same directory every time: emptying it costs an
    // unlink per file, while a fresh directory would add a mkdir and an rmdir to every run. A
    // second box while the first is in use (a checker's, beside the program's) gets a name of its own.
    const reuse = !this.inUse.has(slot.index);
    const dir = path.join(this.slotDir(slot), reuse ? 'box' : `box-${++this.seq}`);
    if (reuse) this.inUse.add(slot.index);
    try {
      // The common case: the last removal emptied it, and nothing has run in it since.
      const ready = reuse && this.emptied.delete(slot.index);
      if (!ready) {
        if (!reuse || !fs.existsSync(dir)) fs.mkdirSync(dir, { mode: 0o700 });
        else await emptyDir(dir);
        fs.chownSync(dir, slot.uid, slot.gid);
      }
      for (const file of files) {
        const target = path.join(dir, file.name);
        // 'wx': fail rather than write through anything already at that name.
        fs.writeFileSync(target, file.content, { flag: 'wx', mode: 0o644 });
        fs.chownSync(target, slot.uid, slot.gid);
      }
      // A program may have changed the mode of its /box (never its owner); the next starts from ours.
      fs.chmodSync(dir, 0o700);
    } catch (err) {
      if (reuse) this.inUse.delete(slot.index);
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    let removed: Promise<void> | null = null;
    return {
      dir,
      slotIndex: slot.index,
      remove: () => {
        removed ??= (async () => {
          if (!reuse) return fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 });
          try {
            await emptyDir(dir);
            this.emptied.add(slot.index);
          } catch (err) {
            // What cannot be emptied is removed whole; the next box makes a new directory.
            await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 });
            if (!fs.existsSync(dir)) return;
            throw err;
          } finally {
            this.inUse.delete(slot.index);
          }
        })();
        return removed;
      },
    };
  }

  /** Removes a box after its result is out; the slot's next box and close() wait for it. */
  removeLater(box: Box): void {
    const removal = box.remove();
    // A submission may hold two boxes (its program's and a checker's): wait for both.
    const previous = this.lastRemoval.get(box.slotIndex);
    this.lastRemoval.set(box.slotIndex, Promise.all([previous, removal.catch(() => undefined)]).then(() => undefined));
    this.removals.track(removal);
  }

  async close(): Promise<void> {
    await this.removals.drain();
    removeTree(this.instanceDir);
    this.mounted.clear();
  }
}

/** Files of a box removed here without a trip through the thread pool; more go the slow way. */
const SYNC_UNLINK_MAX = 64;

/**
 * Empties a box without following anything a program planted in it: entries are unlinked by
 * name (a symlink is removed, never its target) and directories removed recursively without
 * following links. A few plain files, the common case, are unlinked on the spot.
 */
async function emptyDir(dir: string): Promise<void> {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const few = entries.length <= SYNC_UNLINK_MAX;
  const slow: string[] = [];
  for (const entry of entries) {
    const target = path.join(dir, entry.name);
    if (few && !entry.isDirectory()) fs.unlinkSync(target);
    else slow.push(target);
  }
  await Promise.all(slow.map((target) => fs.promises.rm(target, { recursive: true, force: true, maxRetries: 3 })));
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
