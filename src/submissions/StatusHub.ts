import type { SubmissionStatus } from '../store/index.js';

export type StatusListener = (status: SubmissionStatus) => void;

/**
 * In-process fan-out of submission state changes, by id. Standalone's workers feed it as they
 * claim and finish; an API replica feeds it from PostgreSQL notifications. It carries hints, not
 * a log: a listener re-reads the store when told, and polls in case a change was never told.
 */
export class StatusHub {
  private readonly listeners = new Map<string, Set<StatusListener>>();

  publish(id: string, status: SubmissionStatus): void {
    const set = this.listeners.get(id);
    if (!set) return;
    for (const listener of [...set]) listener(status);
  }

  /** Returns the function that unsubscribes. */
  subscribe(id: string, listener: StatusListener): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(id) === set) this.listeners.delete(id);
    };
  }
}
