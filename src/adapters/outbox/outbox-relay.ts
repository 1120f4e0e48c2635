import type { SqlState } from "../sql/open-database.js";
import type { JobQueue } from "../../ports/job-queue.js";

export interface OutboxRelayOptions<TData> {
  /** The database whose `jobs` table is the outbox (server mode: PostgreSQL). */
  state: SqlState;
  /** Where rows go; `enqueue` must be idempotent on the id (BullMQ: the job id). */
  queue: Pick<JobQueue<TData>, "enqueue">;
  /** Rows claimed per transaction (default 100). */
  batchSize?: number;
  now?: () => Date;
}

export interface OutboxRelay {
  /** Relays every row not yet relayed, batch after batch; resolves with how many this call relayed. */
  relayPending(): Promise<number>;
}

const DEFAULT_BATCH_SIZE = 100;

/**
 * The server-mode outbox relay: upload writes a document record and its `jobs` row in one
 * transaction; this hands rows whose `relayed_at` is null to the queue with job id = row id, then
 * sets `relayed_at`. Each batch is claimed in a transaction with `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL, so relays in several processes take disjoint rows. If the queue fails mid-batch the
 * transaction rolls back and the rows are relayed again later: rows already enqueued are then
 * deduplicated by the queue (same job id), so a replay is harmless. The error is thrown.
 */
export function createOutboxRelay<TData>(options: OutboxRelayOptions<TData>): OutboxRelay {
  const { state, queue } = options;
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const now = options.now ?? (() => new Date());

  const relayBatch = (): Promise<number> =>
    state.db.transaction().execute(async (transaction) => {
      const claim = transaction.selectFrom("jobs").select(["id", "data"]).where("relayed_at", "is", null).orderBy("created_at").orderBy("id").limit(batchSize);
      // SQLite has one writer per database (and Ragline one process per SQLite file): no row locks needed.
      const rows = await (state.dialect === "postgres" ? claim.forUpdate().skipLocked() : claim).execute();
      if (rows.length === 0) return 0;
      await Promise.all(rows.map((row) => queue.enqueue(JSON.parse(row.data) as TData, { id: row.id })));
      await transaction
        .updateTable("jobs")
        .set({ relayed_at: now().toISOString() })
        .where(
          "id",
          "in",
          rows.map((row) => row.id),
        )
        .execute();
      return rows.length;
    });

  return {
    async relayPending() {
      let total = 0;
      for (;;) {
        const relayed = await relayBatch();
        total += relayed;
        if (relayed < batchSize) return total;
      }
    },
  };
}
