/**
 * Cleanup that need not hold up a result (removing a finished run's cgroup or box), kept track
 * of so that shutdown can wait for it and nothing is left behind.
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly onError: (err: unknown) => void) {}

  track(task: Promise<void>): void {
    const p = task.catch(this.onError).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
