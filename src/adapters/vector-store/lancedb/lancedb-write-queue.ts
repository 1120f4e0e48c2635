interface PendingUpsert<Row> {
  kind: "upsert";
  rows: Row[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface PendingTask {
  kind: "task";
  run: () => Promise<void>;
}

export interface GroupCommitWriteQueueOptions<Row> {
  /** Writes one coalesced batch (one engine commit); rows are already de-duplicated by key. */
  commitUpserts: (rows: Row[]) => Promise<void>;
  /** Key rows are de-duplicated on when batches from several callers are merged (last write wins). */
  keyOf: (row: Row) => string;
  /** Upper bound of rows per commit; a single caller's batch is never split. */
  maxRowsPerCommit: number;
}

/**
 * The one serialised writer of a store: every write (upserts, deletes, index builds, optimize) runs
 * through it, one at a time, in arrival order.
 *
 * Group commit: upserts queued while another write runs (or in the same tick) are coalesced into one
 * `commitUpserts` call, up to `maxRowsPerCommit` rows; each caller's promise settles when the batch
 * holding its rows commits (or fails: then every caller of that batch gets the error). Upserts are
 * only coalesced with adjacent upserts, so a delete queued between two upserts still sees the first
 * and not the second.
 */
export class GroupCommitWriteQueue<Row> {
  private readonly pending: Array<PendingUpsert<Row> | PendingTask> = [];
  private draining: Promise<void> | null = null;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly options: GroupCommitWriteQueueOptions<Row>) {}

  /** Resolves when the rows are committed together with whatever else was queued alongside them. */
  upsert(rows: Row[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ kind: "upsert", rows, resolve, reject });
      this.startDraining();
    });
  }

  /** Runs `task` alone, after every write queued before it; settles with the task's outcome. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ kind: "task", run: () => Promise.resolve().then(task).then(resolve, reject) });
      this.startDraining();
    });
  }

  /** Number of writes waiting (not counting the one running). */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Resolves once every write queued so far (and any queued meanwhile) has settled. */
  async flush(): Promise<void> {
    if (!this.draining && this.pending.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private startDraining(): void {
    if (this.draining) return;
    // setImmediate lets calls made in the same tick join the first batch.
    this.draining = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      if (next.kind === "task") {
        this.pending.shift();
        await next.run();
        continue;
      }
      await this.commitBatch(this.takeUpsertBatch());
    }
    this.draining = null;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private takeUpsertBatch(): Array<PendingUpsert<Row>> {
    const batch: Array<PendingUpsert<Row>> = [];
    let rowCount = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      if (next.kind !== "upsert") break;
      if (batch.length > 0 && rowCount + next.rows.length > this.options.maxRowsPerCommit) break;
      batch.push(next);
      rowCount += next.rows.length;
      this.pending.shift();
    }
    return batch;
  }

  private async commitBatch(batch: Array<PendingUpsert<Row>>): Promise<void> {
    const rowsByKey = new Map<string, Row>();
    for (const upsert of batch) {
      for (const row of upsert.rows) {
        const key = this.options.keyOf(row);
        rowsByKey.delete(key);
        rowsByKey.set(key, row);
      }
    }
    try {
      if (rowsByKey.size > 0) await this.options.commitUpserts([...rowsByKey.values()]);
      for (const upsert of batch) upsert.resolve();
    } catch (error) {
      for (const upsert of batch) upsert.reject(error);
    }
  }
}
