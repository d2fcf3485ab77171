/**
 * The timers of one adapter, cancelled together on stop: a stopped broker must leave nothing
 * that keeps the process alive.
 */
export class TimerSet {
  private readonly timers = new Map<NodeJS.Timeout, () => void>();

  /** Runs `fn` after `ms` unless cleared first. */
  after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.set(timer, () => {});
  }

  /** Resolves after `ms`, or as soon as the set is cleared. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }

  get size(): number {
    return this.timers.size;
  }

  clear(): void {
    for (const [timer, wake] of this.timers) {
      clearTimeout(timer);
      wake();
    }
    this.timers.clear();
  }
}

/** 100 ms doubling to a cap: quick to notice a broker that is back, gentle on one that is not. */
export function backoffMs(attempt: number, capMs = 1000): number {
  return Math.min(100 * 2 ** Math.max(0, attempt - 1), capMs);
}
