import fs from 'node:fs';
import path from 'node:path';
import type { Slot } from '../Sandbox.js';

/**
 * Hands out the unprivileged uids runs execute as, one per concurrent run, so two programs
 * running at the same time never share a uid (and cannot signal or read each other).
 */
export class SlotPool {
  private readonly free: Slot[] = [];
  /** Cache directories already made: the warm sandbox asks for them on every run. */
  private readonly made = new Set<string>();
  private readonly waiters: Array<(slot: Slot) => void> = [];

  constructor(
    readonly size: number,
    uidBase: number,
    private readonly cacheRoot: string,
  ) {
    for (let i = 0; i < size; i++) this.free.push({ index: i, uid: uidBase + i, gid: uidBase + i });
  }

  acquire(): Promise<Slot> {
    const slot = this.free.shift();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(slot: Slot): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(slot);
    else this.free.push(slot);
  }

  async with<T>(fn: (slot: Slot) => Promise<T>): Promise<T> {
    const slot = await this.acquire();
    try {
      return await fn(slot);
    } finally {
      this.release(slot);
    }
  }

  /**
   * A compiler cache private to one slot (e.g. Go's build cache), created on first use. Only
   * mounted into compile steps whose arguments Verdict chose, so no program can poison it.
   */
  cacheDir(slot: Slot, name: string): string {
    const dir = path.join(this.slotCacheRoot(slot), name);
    if (!this.made.has(dir)) {
      if (!fs.existsSync(dir)) {
        fs.mkdirSync(dir, { mode: 0o700 });
        fs.chownSync(dir, slot.uid, slot.gid);
      }
      this.made.add(dir);
    }
    return dir;
  }

  /** The directory holding every cache of one slot, owned by the slot's uid. */
  slotCacheRoot(slot: Slot): string {
    const dir = path.join(this.cacheRoot, String(slot.uid));
    if (!this.made.has(dir)) {
      if (!fs.existsSync(dir)) {
        fs.mkdirSync(this.cacheRoot, { recursive: true, mode: 0o711 });
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        fs.chownSync(dir, slot.uid, slot.gid);
      }
      this.made.add(dir);
    }
    return dir;
  }
}
