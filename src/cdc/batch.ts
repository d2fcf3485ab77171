import type { Lsn } from './lsn.js';

/** A committed transaction whose ids still have to reach the broker before its end is acknowledged. */
export interface PendingCommit {
  readonly ids: readonly string[];
  readonly endLsn: Lsn;
  readonly commitTimeMs: number;
}

/**
 * Removes the oldest commits from `pending` while their ids fit in `maxIds` (always at least one
 * commit, however large): one publish then covers many small transactions, and acknowledging the
 * last one's end covers them all.
 */
export function takeBatch(pending: PendingCommit[], maxIds: number): PendingCommit[] {
  const batch: PendingCommit[] = [];
  let count = 0;
  while (pending.length > 0 && (batch.length === 0 || count + pending[0].ids.length <= maxIds)) {
    const commit = pending.shift() as PendingCommit;
    batch.push(commit);
    count += commit.ids.length;
  }
  return batch;
}
