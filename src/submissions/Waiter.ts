/**
 * Lets a request wait for a submission to finish. Workers in this process call `notify`; for
 * work finished by another process the caller's `check` is polled, so waiting works the same
 * whether the worker is in-process or not.
 */
export class Waiter {
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(private readonly pollMs: number) {}

  notify(id: string): void {
    const set = this.waiting.get(id);
    if (!set) return;
    this.waiting.delete(id);
    for (const wake of set) wake();
  }

  /** Resolves when `check` says done, when notified (then re-checked), or at the timeout. */
  async wait(id: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        let set = this.waiting.get(id);
        if (!set) this.waiting.set(id, (set = new Set()));
        const wake = (): void => {
          clearTimeout(timer);
          set?.delete(wake);
          if (set?.size === 0 && this.waiting.get(id) === set) this.waiting.delete(id);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, this.pollMs));
        set.add(wake);
      });
    }
  }
}
