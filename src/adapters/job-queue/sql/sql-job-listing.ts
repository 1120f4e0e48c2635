import { ValidationError } from "../../../core/errors.js";
import type { JobState } from "../../../ports/job-queue.js";
import type { SqlDialectName } from "../../sql/open-database.js";
import { insertionOrder, type Database, type JobRow } from "./sql-job-rows.js";

// Listing and counting `jobs` by state (the JobQueue port's `list` and `counts`).

const STATES: JobState[] = ["queued", "active", "completed", "failed"];

/**
 * Jobs in `state`, newest first: queued and active by creation (then insertion order), completed
 * and failed by when they finished (then id).
 */
export async function listJobRows(db: Database, options: { dialect: SqlDialectName; state: JobState; limit: number; offset: number }): Promise<JobRow[]> {
  if (!STATES.includes(options.state))
    throw new ValidationError(`unknown job state ${String(options.state)}`, [{ path: "state", message: `one of ${STATES.join(", ")}` }]);
  const limit = Math.max(1, Math.floor(options.limit));
  const offset = Math.max(0, Math.floor(options.offset));
  const query = db.selectFrom("jobs").selectAll().where("state", "=", options.state);
  const ordered =
    options.state === "completed" || options.state === "failed"
      ? query.orderBy("finished_at", "desc").orderBy("id")
      : query.orderBy("created_at", "desc").orderBy(insertionOrder(options.dialect), "desc");
  return ordered.limit(limit).offset(offset).execute();
}

/** Jobs per state, every state present (0 when none). */
export async function countJobsByState(db: Database): Promise<Record<JobState, number>> {
  const rows = await db
    .selectFrom("jobs")
    .select((eb) => ["state", eb.fn.countAll<number | string>().as("count")])
    .groupBy("state")
    .execute();
  const counts = Object.fromEntries(STATES.map((state) => [state, 0])) as Record<JobState, number>;
  for (const row of rows) if (STATES.includes(row.state as JobState)) counts[row.state as JobState] = Number(row.count);
  return counts;
}
