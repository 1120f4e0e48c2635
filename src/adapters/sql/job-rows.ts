import type { Kysely, Transaction } from "kysely";
import { reusableQuery } from "./reusable-query.js";
import type { SqlDatabase } from "./sql-schema.js";

/** A new ingest job as a row of `jobs`: queued, runnable now, not yet relayed (server mode outbox). */
export interface NewJobRow {
  id: string;
  data: unknown;
  maxAttempts: number;
  now: string;
}

/**
 * Inserts the job unless a job with that id exists (then nothing changes: the id is the idempotency
 * key). Returns whether it was created. Used inside the upload's transaction and by the queues.
 */
export async function insertJobRow(db: Kysely<SqlDatabase> | Transaction<SqlDatabase>, job: NewJobRow): Promise<boolean> {
  const result = await insertJob(db, { id: job.id, data: JSON.stringify(job.data), maxAttempts: job.maxAttempts, now: job.now });
  return Number(result.numAffectedRows ?? 0) > 0;
}

const insertJob = reusableQuery<{ id: string; data: string; maxAttempts: number; now: string }, unknown>((db, param) =>
  db
    .insertInto("jobs")
    .values({
      id: param("id"),
      data: param("data"),
      state: "queued",
      attempts: 0,
      max_attempts: param("maxAttempts"),
      crashes: 0,
      progress: 0,
      error: null,
      run_after: param("now"),
      lease_owner: null,
      lease_expires_at: null,
      created_at: param("now"),
      updated_at: param("now"),
      finished_at: null,
      relayed_at: null,
    })
    .onConflict((conflict) => conflict.column("id").doNothing()),
);
