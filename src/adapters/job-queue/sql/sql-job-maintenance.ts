import type { Kysely } from "kysely";
import type { SqlDatabase } from "../../sql/sql-schema.js";
import type { JobRow } from "./sql-job-rows.js";

export interface ReconcileOptions {
  /** This process's lease owner: its own active jobs are running here, never reclaimed. */
  owner: string;
  maxCrashes: number;
  now: string;
  /**
   * True on SQLite: the file's exclusive lock means every other owner's process is gone. Otherwise
   * (a shared server) only another owner whose lease expired is taken for dead.
   */
  otherOwnersAreGone: boolean;
}

/** The reason a job gets when it reached the crash limit. */
export function crashLimitReason(crashes: number): string {
  return `crashed the worker ${crashes} times`;
}

/**
 * Jobs whose attempt was running when their process died: each counts a crash. Below `maxCrashes`
 * it is queued again with that attempt given back (a crash does not use the retry budget); at the
 * limit it is failed with "crashed the worker N times". One transaction; returns the rows as left.
 */
export async function reconcileCrashedJobs(db: Kysely<SqlDatabase>, options: ReconcileOptions): Promise<{ requeued: JobRow[]; quarantined: JobRow[] }> {
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom("jobs")
      .selectAll()
      .where("state", "=", "active")
      .where((eb) => eb.or([eb("lease_owner", "is", null), eb("lease_owner", "!=", options.owner)]));
    if (!options.otherOwnersAreGone) query = query.where("lease_expires_at", "<", options.now);
    const requeued: JobRow[] = [];
    const quarantined: JobRow[] = [];
    for (const row of await query.execute()) {
      const crashes = Number(row.crashes) + 1;
      const base = { crashes, lease_owner: null, lease_expires_at: null, updated_at: options.now };
      const changes =
        crashes >= options.maxCrashes
          ? { ...base, state: "failed", error: crashLimitReason(crashes), finished_at: options.now }
          : {
              ...base,
              state: "queued",
              attempts: Math.max(0, Number(row.attempts) - 1),
              error: `crashed the worker (crash ${crashes} of ${options.maxCrashes} allowed)`,
              run_after: options.now,
            };
      const updated = await trx
        .updateTable("jobs")
        .set(changes)
        .where("id", "=", row.id)
        .where("state", "=", "active")
        .where("updated_at", "=", row.updated_at)
        .returningAll()
        .executeTakeFirst();
      if (updated) (updated.state === "failed" ? quarantined : requeued).push(updated);
    }
    return { requeued, quarantined };
  });
}

/** Deletes completed jobs beyond the newest `maxCount` and those finished before `maxAgeMs` ago; failed jobs stay. */
export async function pruneCompletedJobs(db: Kysely<SqlDatabase>, options: { maxCount: number; maxAgeMs: number; now: Date }): Promise<number> {
  let cutoff = new Date(options.now.getTime() - options.maxAgeMs).toISOString();
  if (options.maxCount === 0) cutoff = options.now.toISOString();
  else {
    const oldestKept = await db
      .selectFrom("jobs")
      .select("finished_at")
      .where("state", "=", "completed")
      .orderBy("finished_at", "desc")
      .limit(1)
      .offset(options.maxCount - 1)
      .executeTakeFirst();
    if (oldestKept?.finished_at && oldestKept.finished_at > cutoff) cutoff = oldestKept.finished_at;
  }
  const result = await db.deleteFrom("jobs").where("state", "=", "completed").where("finished_at", "<", cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
