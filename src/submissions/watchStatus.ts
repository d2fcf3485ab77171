import type { Submission, SubmissionStatus } from '../store/index.js';
import type { StatusHub } from './StatusHub.js';

/** A watcher re-reads the store this often when no change was announced (one may have been missed). */
export const STATUS_POLL_MS = 1000;

export interface StatusWatchDeps {
  readonly read: (id: string) => Promise<Submission>;
  readonly hub?: StatusHub;
  readonly pollMs?: number;
}

/**
 * Calls `onChange` with the submission as it stands, then at each change of its status, and
 * resolves once it is finished or `signal` aborts. Subscribes before the first read, so a change
 * between the two is not missed. A run quicker than a look (queued, then already finished) is
 * shown as running and then finished: a watcher always sees the states in their order.
 */
export async function watchStatus(deps: StatusWatchDeps, id: string, onChange: (submission: Submission) => void, signal: AbortSignal): Promise<void> {
  let announced = false;
  let wake: (() => void) | null = null;
  const unsubscribe = deps.hub?.subscribe(id, () => {
    announced = true;
    wake?.();
  });
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    let last: SubmissionStatus | null = null;
    while (!signal.aborted) {
      announced = false;
      const current = await deps.read(id);
      if (signal.aborted) return;
      if (current.status !== last) {
        if (last === 'queued' && current.status === 'finished') onChange({ ...current, status: 'running', result: null, finishedAt: null });
        onChange(current);
        last = current.status;
      }
      if (current.status === 'finished') return;
      if (!announced) await sleep(deps.pollMs ?? STATUS_POLL_MS, (w) => (wake = w));
      wake = null;
    }
  } finally {
    unsubscribe?.();
    signal.removeEventListener('abort', onAbort);
  }
}

/** Waits `ms`, or less if the function handed to `setWake` is called first. */
function sleep(ms: number, setWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    setWake(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
