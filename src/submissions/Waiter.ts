import type { Submission } from '../store/index.js';

/**
 * Lets a request wait for a submission to finish. Workers in this process call `notify`, with
 * the finished submission when they have it in hand; for work finished by another process the
 * caller's `check` is polled, so waiting works the same whether the worker is in-process or not.
 */
export class Waiter {
  private readonly waiting = new Map<string, Set<(finished?: Submission) => void>>();

  constructor(private readonly pollMs: number) {}

  notify(id: string, finished?: Submission): void {
    const set = this.waiting.get(id);
    if (!set) return;
    this.waiting.delete(id);
    for (const wake of set) wake(finished);
  }

  /**
   * Resolves when `check` says done, when notified (then re-checked), or at the timeout.
   * `check` is given the finished submission a notification carried, if it carried one, so it
   * need not read the store again.
   */
  async wait(id: string, timeoutMs: number, check: (finished?: Submission) => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let finished: Submission | undefined;
    while (!(await check(finished))) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      finished = await new Promise<Submission | undefined>((resolve) => {
        let set = this.waiting.get(id);
        if (!set) this.waiting.set(id, (set = new Set()));
        const wake = (value?: Submission): void => {
          clearTimeout(timer);
          set?.delete(wake);
          if (set?.size === 0 && this.waiting.get(id) === set) this.waiting.delete(id);
          resolve(value);
        };
        const timer = setTimeout(wake, Math.min(left, this.pollMs));
        set.add(wake);
      });
    }
  }
}
