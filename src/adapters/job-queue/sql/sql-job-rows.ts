import { sql, type Expression, type Kysely, type Selectable, type Transaction, type Updateable } from "kysely";
import { ConflictError, NotFoundError } from "../../../core/errors.js";
import type { Job, JobState } from "../../../ports/job-queue.js";
import type { SqlDialectName } from "../../sql/open-database.js";
import { reusableQuery } from "../../sql/reusable-query.js";
import type { JobsTable, SqlDatabase } from "../../sql/sql-schema.js";

// The statements SqlJobQueue runs on `jobs`, and the mapping of a row to the port's Job.

export type JobRow = Selectable<JobsTable>;
export type Database = Kysely<SqlDatabase> | Transaction<SqlDatabase>;

export function toJob<TData>(row: JobRow): Job<TData> {
  return {
    id: row.id,
    data: JSON.parse(row.data) as TData,
    state: row.state as JobState,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    progress: Number(row.progress),
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

/**
 * Tie-breaker after `created_at` for FIFO order: SQLite's rowid is insertion order (jobs of one bulk
 * upload share a timestamp); PostgreSQL has no such column, so the id decides there.
 */
export function insertionOrder(dialect: SqlDialectName): Expression<unknown> {
  return dialect === "sqlite" ? sql`rowid` : sql.ref("id");
}

export interface ClaimOptions {
  dialect: SqlDialectName;
  owner: string;
  limit: number;
  /** Whether a job that crashed its worker before may be claimed: it runs alone, so only when nothing else runs. */
  mayRunAlone: boolean;
  now: string;
  leaseExpiresAt: string;
}

/**
 * Claims up to `limit` runnable jobs (queued, `run_after` due) in FIFO order in one transaction:
 * each becomes active with one more attempt and a lease held by `owner`. A runnable job that crashed
 * a worker before is claimed alone (and only when `mayRunAlone`), ahead of the others, so that a job
 * which kills the process takes no innocent job's crash count with it. Returns the claimed jobs in
 * order and whether the claim is one such crash suspect.
 */
export async function claimJobs(db: Kysely<SqlDatabase>, options: ClaimOptions): Promise<{ rows: JobRow[]; alone: boolean }> {
  return db.transaction().execute(async (trx) => {
    const runnable = trx
      .selectFrom("jobs")
      .select("id")
      .where("state", "=", "queued")
      .where("run_after", "<=", options.now)
      .orderBy("created_at")
      .orderBy(insertionOrder(options.dialect));
    const suspect = await runnable.where("crashes", ">", 0).limit(1).executeTakeFirst();
    if (suspect && !options.mayRunAlone) return { rows: [], alone: true };
    const ids = suspect ? [suspect.id] : (await runnable.limit(options.limit).execute()).map((row) => row.id);
    if (ids.length === 0) return { rows: [], alone: false };
    const claimed = await trx
      .updateTable("jobs")
      .set((eb) => ({
        state: "active",
        attempts: eb("attempts", "+", 1),
        lease_owner: options.owner,
        lease_expires_at: options.leaseExpiresAt,
        updated_at: options.now,
      }))
      .where("id", "in", ids)
      .where("state", "=", "queued")
      .returningAll()
      .execute();
    const byId = new Map(claimed.map((row) => [row.id, row]));
    return { rows: ids.flatMap((id) => byId.get(id) ?? []), alone: suspect !== undefined };
  });
}

/**
 * Applies `changes` to job `id` only while `owner`'s attempt still holds it (active, its lease): a
 * write from an attempt that lost its job (closed queue, reclaimed lease) changes nothing. Returns
 * whether the job was changed.
 */
export async function updateHeldJob(db: Database, id: string, owner: string, changes: Updateable<JobsTable>): Promise<boolean> {
  return (await updateHeldJobs(db, [id], owner, changes)) > 0;
}

/** `updateHeldJob` for several jobs in one statement; returns how many were changed. */
export async function updateHeldJobs(db: Database, ids: string[], owner: string, changes: Updateable<JobsTable>): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable("jobs")
    .set(changes)
    .where("id", "in", ids)
    .where("lease_owner", "=", owner)
    .where("state", "=", "active")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

const completeJob = reusableQuery<{ id: string; owner: string; now: string }, unknown>((db, param) =>
  db
    .updateTable("jobs")
    .set({ state: "completed", progress: 1, error: null, finished_at: param("now"), updated_at: param("now"), lease_owner: null, lease_expires_at: null })
    .where("id", "=", param("id"))
    .where("lease_owner", "=", param("owner"))
    .where("state", "=", "active"),
);

/** Marks jobs `ids` completed (progress 1, lease released) where `owner`'s attempt still holds them; returns how many it did. */
export async function completeHeldJobs(db: Database, ids: string[], owner: string, now: string): Promise<number> {
  if (ids.length === 1) return Number((await completeJob(db, { id: ids[0]!, owner, now })).numAffectedRows ?? 0);
  const released = { lease_owner: null, lease_expires_at: null };
  return updateHeldJobs(db, ids, owner, { state: "completed", progress: 1, error: null, finished_at: now, updated_at: now, ...released });
}

const selectJob = reusableQuery<{ id: string }, JobRow>((db, param) => db.selectFrom("jobs").selectAll().where("id", "=", param("id")));

/** Job `id`'s row, or null. */
export async function findJobRow(db: Database, id: string): Promise<JobRow | null> {
  return (await selectJob(db, { id })).rows[0] ?? null;
}

/** Queues failed job `id` again with a fresh attempt and crash budget. NotFoundError / ConflictError (not failed). */
export async function requeueFailedJob(db: Kysely<SqlDatabase>, id: string, maxAttempts: number, now: string): Promise<JobRow> {
  return db.transaction().execute(async (trx) => {
    const job = await trx.selectFrom("jobs").select("state").where("id", "=", id).executeTakeFirst();
    if (!job) throw new NotFoundError(`Job ${id} not found`);
    if (job.state !== "failed") throw new ConflictError(`Job ${id} is ${job.state}; only failed jobs can be retried`);
    return trx
      .updateTable("jobs")
      .set({ state: "queued", attempts: 0, max_attempts: maxAttempts, crashes: 0, progress: 0, error: null, run_after: now })
      .set({ lease_owner: null, lease_expires_at: null, finished_at: null, updated_at: now })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/** Extends the lease of every job `owner` is running. */
export async function renewLeases(db: Database, owner: string, leaseExpiresAt: string): Promise<void> {
  await db.updateTable("jobs").set({ lease_expires_at: leaseExpiresAt }).where("lease_owner", "=", owner).where("state", "=", "active").execute();
}

/** Puts every job `owner` still holds back in the queue, the interrupted attempt not counted (a shutdown is not the job's failure). */
export async function releaseHeldJobs(db: Database, owner: string, now: string): Promise<void> {
  await db
    .updateTable("jobs")
    .set((eb) => ({ state: "queued", attempts: eb("attempts", "-", 1), lease_owner: null, lease_expires_at: null, run_after: now, updated_at: now }))
    .where("lease_owner", "=", owner)
    .where("state", "=", "active")
    .execute();
}
