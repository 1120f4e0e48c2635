import { AppError } from "../core/errors.js";
import { wrapPort } from "./wrap-port.js";
import type { ChunkPoint, VectorStore } from "../ports/vector-store.js";

interface PendingUpsert {
  kind: "upsert";
  points: ChunkPoint[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface PendingTask {
  kind: "task";
  run: () => Promise<void>;
}

/**
 * Group commit for a store whose every write is costly (an embedded engine commits a new table version
 * per call). Writes — `upsert` and `deleteDocument` — run one at a time in arrival order; upserts
 * queued while another write runs (or in the same tick) are coalesced into one inner `upsert` of at
 * most `maxPointsPerCall` points (a single caller's batch is never split; points repeated across
 * callers keep the last). Each caller's promise settles when the call holding its points does. When a
 * coalesced call of several callers fails with a non-transient error (one caller's bad input), each
 * caller's points are retried alone — upsert is idempotent — so only the bad caller fails. Upserts
 * are coalesced only with adjacent upserts, so a delete queued between two upserts sees the first and
 * not the second. `close` waits for every queued write first. Other calls pass through.
 */
export function createUpsertCoalescingStore(store: VectorStore, options: { maxPointsPerCall: number }): VectorStore {
  if (!Number.isSafeInteger(options.maxPointsPerCall) || options.maxPointsPerCall < 1) throw new RangeError("maxPointsPerCall must be an integer >= 1");
  const pending: Array<PendingUpsert | PendingTask> = [];
  let draining: Promise<void> | null = null;

  const startDraining = (): Promise<void> => {
    // setImmediate lets calls made in the same tick join the first batch.
    draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(drain);
    return draining;
  };

  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const next = pending[0]!;
      if (next.kind === "task") {
        pending.shift();
        await next.run();
      } else {
        await commit(takeUpsertBatch());
      }
    }
    draining = null;
  };

  const takeUpsertBatch = (): PendingUpsert[] => {
    const batch: PendingUpsert[] = [];
    let count = 0;
    while (pending[0]?.kind === "upsert") {
      const next = pending[0];
      if (batch.length > 0 && count + next.points.length > options.maxPointsPerCall) break;
      batch.push(next);
      count += next.points.length;
      pending.shift();
    }
    return batch;
  };

  const commit = async (batch: PendingUpsert[]): Promise<void> => {
    const byId = new Map<string, ChunkPoint>();
    for (const upsert of batch) {
      for (const point of upsert.points) {
        byId.delete(point.id);
        byId.set(point.id, point);
      }
    }
    try {
      await store.upsert([...byId.values()]);
      for (const upsert of batch) upsert.resolve();
    } catch (error) {
      const callerFault = error instanceof AppError && !error.transient;
      if (batch.length === 1 || !callerFault) {
        for (const upsert of batch) upsert.reject(error);
        return;
      }
      for (const upsert of batch) await store.upsert(upsert.points).then(upsert.resolve, upsert.reject);
    }
  };

  const runInTurn = <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      pending.push({ kind: "task", run: () => Promise.resolve().then(task).then(resolve, reject) });
      void startDraining();
    });

  return wrapPort(store, {
    upsert: () => (points) => {
      if (points.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        pending.push({ kind: "upsert", points, resolve, reject });
        void startDraining();
      });
    },
    deleteDocument:
      (next) =>
      (...args) =>
        runInTurn(() => next(...args)),
    close: (next) => async () => {
      while (draining) await draining;
      await next();
    },
  });
}
