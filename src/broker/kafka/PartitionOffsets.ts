/** An offset to commit: the next record the group should read from that partition. */
export interface CommitPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Records fetched and not yet known to be covered by the position, in fetch (= offset) order. */
  readonly open: Map<bigint, boolean>;
  highestSeen: bigint;
  /** The last position handed out for commit; -1 when none is known to have succeeded. */
  committed: bigint;
}

/**
 * Which fetched offsets of this consumer's partitions are handled. Kafka commits one position per
 * partition meaning "everything before it is done", while handlers finish in any order; so the
 * position to commit is the lowest offset still open, never the highest one finished. A crash
 * then redelivers what was unfinished (and perhaps some finished work), and loses nothing.
 */
export class PartitionOffsets {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly moved = new Set<string>();
  /** This member's partitions, once the group has said; null before the first assignment. */
  private assigned: ReadonlySet<string> | null = null;

  /**
   * Registers a fetched record. False when this partition's stream already delivered it: after a
   * rejoin or a reopened stream, fetching restarts at the committed position, which may lie
   * behind records still in flight here, and those must not run twice. False too for a partition
   * this member no longer holds: the client still hands out what it fetched before a rebalance.
   */
  track(topic: string, partition: number, offset: bigint): boolean {
    const key = `${topic}:${partition}`;
    if (this.assigned && !this.assigned.has(key)) return false;
    let state = this.partitions.get(key);
    if (!state) {
      state = { topic, partition, open: new Map(), highestSeen: -1n, committed: -1n };
      this.partitions.set(key, state);
    }
    if (offset <= state.highestSeen) return false;
    state.highestSeen = offset;
    state.open.set(offset, false);
    return true;
  }

  /** Marks a record handled (or handed on to the retry or dead-letter topic). */
  done(topic: string, partition: number, offset: bigint): void {
    const key = `${topic}:${partition}`;
    const state = this.partitions.get(key);
    if (!state || !state.open.has(offset)) return;
    state.open.set(offset, true);
    for (const [o, finished] of state.open) {
      if (!finished) break;
      state.open.delete(o);
    }
    if (position(state) > state.committed) this.moved.add(key);
  }

  /** Positions that moved since the last call, each handed out once. */
  takeCommits(): CommitPosition[] {
    const commits: CommitPosition[] = [];
    for (const key of this.moved) {
      const state = this.partitions.get(key);
      if (!state) continue;
      const offset = position(state);
      if (offset <= state.committed) continue;
      state.committed = offset;
      commits.push({ topic: state.topic, partition: state.partition, offset });
    }
    this.moved.clear();
    return commits;
  }

  /** A commit failed: its partitions are due again, at whatever position they have reached. */
  commitFailed(commits: readonly CommitPosition[]): void {
    for (const c of commits) {
      const key = `${c.topic}:${c.partition}`;
      const state = this.partitions.get(key);
      if (!state) continue;
      state.committed = -1n;
      this.moved.add(key);
    }
  }

  /**
   * Forgets partitions the group gave to another consumer: their open records are that
   * consumer's now, and a late commit from here could only move its position backwards.
   */
  retainOnly(assigned: ReadonlySet<string>): void {
    this.assigned = assigned;
    for (const key of this.partitions.keys()) {
      if (!assigned.has(key)) {
        this.partitions.delete(key);
        this.moved.delete(key);
      }
    }
  }

  owns(topic: string, partition: number): boolean {
    return this.partitions.has(`${topic}:${partition}`);
  }
}

/** The lowest open offset, or just past the last record when all are handled. */
function position(state: PartitionState): bigint {
  for (const [offset, finished] of state.open) if (!finished) return offset;
  return state.highestSeen + 1n;
}
