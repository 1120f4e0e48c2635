import { sql, type Kysely } from "kysely";
import { ConflictError } from "../../../core/errors.js";
import type {
  BatchDocumentState,
  DocumentStatus,
  UploadBatch,
  UploadBatchFailure,
  UploadBatchItem,
  UploadBatchSummary,
  UploadOutcome,
} from "../../../ports/document-repository.js";
import type { SqlDatabase, UploadBatchItemsTable } from "../../sql/sql-schema.js";

// The statements of upload batches: `upload_batches` and `upload_batch_items`, read joined with `documents`.

/** Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits (8 columns each). */
const ITEMS_PER_INSERT = 500;

const OUTCOMES: UploadOutcome[] = ["accepted", "duplicate", "updated", "refused"];
const DOCUMENT_STATES: BatchDocumentState[] = ["queued", "processing", "indexed", "failed", "superseded", "deleted"];

/** 1 while the document is still at the revision the item uploaded (same job), else 0. */
const isCurrent = sql<number>`case when document.job_id = item.job_id then 1 else 0 end`;

export async function insertBatch(db: Kysely<SqlDatabase>, batch: UploadBatch): Promise<void> {
  const result = await db
    .insertInto("upload_batches")
    .values({ tenant: batch.tenant, id: batch.id, kind: batch.kind, created_at: batch.createdAt, received_at: batch.receivedAt })
    .onConflict((conflict) => conflict.columns(["tenant", "id"]).doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw new ConflictError(`batch ${batch.id} already exists`);
}

export async function insertBatchItems(db: Kysely<SqlDatabase>, tenant: string, batchId: string, items: UploadBatchItem[]): Promise<void> {
  for (let start = 0; start < items.length; start += ITEMS_PER_INSERT) {
    const rows: UploadBatchItemsTable[] = items.slice(start, start + ITEMS_PER_INSERT).map((item) => ({
      tenant,
      batch_id: batchId,
      position: item.position,
      name: item.name,
      outcome: item.outcome,
      document_id: item.documentId,
      job_id: item.jobId,
      reason: item.reason,
    }));
    await db
      .insertInto("upload_batch_items")
      .values(rows)
      .onConflict((conflict) =>
        conflict.columns(["tenant", "batch_id", "position"]).doUpdateSet((excluded) => ({
          name: excluded.ref("excluded.name"),
          outcome: excluded.ref("excluded.outcome"),
          document_id: excluded.ref("excluded.document_id"),
          job_id: excluded.ref("excluded.job_id"),
          reason: excluded.ref("excluded.reason"),
        })),
      )
      .execute();
  }
}

export async function setBatchReceived(db: Kysely<SqlDatabase>, tenant: string, batchId: string, receivedAt: string): Promise<void> {
  await db.updateTable("upload_batches").set({ received_at: receivedAt }).where("tenant", "=", tenant).where("id", "=", batchId).execute();
}

export async function summarizeBatch(
  db: Kysely<SqlDatabase>,
  tenant: string,
  batchId: string,
  options: { failureLimit: number },
): Promise<UploadBatchSummary | null> {
  const batchRow = await db.selectFrom("upload_batches").selectAll().where("tenant", "=", tenant).where("id", "=", batchId).executeTakeFirst();
  if (!batchRow) return null;

  const items = () =>
    db
      .selectFrom("upload_batch_items as item")
      .leftJoin("documents as document", (join) => join.onRef("document.tenant", "=", "item.tenant").onRef("document.id", "=", "item.document_id"))
      .where("item.tenant", "=", tenant)
      .where("item.batch_id", "=", batchId);

  const groups = await items()
    .select((eb) => [
      "item.outcome as outcome",
      "document.status as status",
      isCurrent.as("current"),
      eb.fn.countAll<number | string>().as("count"),
      eb.fn.sum<number | string | null>("document.chunk_count").as("chunks"),
    ])
    .groupBy(["item.outcome", "document.status", isCurrent])
    .execute();
  const outcomes = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<UploadOutcome, number>;
  const documents = Object.fromEntries(DOCUMENT_STATES.map((state) => [state, 0])) as Record<BatchDocumentState, number>;
  let failureCount = 0;
  let indexedChunks = 0;
  for (const group of groups) {
    const count = Number(group.count);
    const outcome = group.outcome as UploadOutcome;
    outcomes[outcome] += count;
    if (outcome === "refused") {
      failureCount += count;
      continue;
    }
    const state = documentState(group.status as DocumentStatus | null, Number(group.current) === 1);
    documents[state] += count;
    if (state === "failed") failureCount += count;
    if (state === "indexed") indexedChunks += Number(group.chunks ?? 0);
  }

  const failed = await items()
    .select(["item.position", "item.name", "item.document_id", "item.outcome", "item.reason", "document.error as error"])
    .where((where) => where.or([where("item.outcome", "=", "refused"), where.and([where("document.status", "=", "failed"), where(isCurrent, "=", 1)])]))
    .orderBy("item.position")
    .limit(options.failureLimit)
    .execute();
  const failures: UploadBatchFailure[] = failed.map((row) => ({
    position: Number(row.position),
    name: row.name,
    documentId: row.document_id,
    stage: row.outcome === "refused" ? "upload" : "ingest",
    reason: (row.outcome === "refused" ? row.reason : row.error) ?? "unknown reason",
  }));

  return {
    batch: {
      tenant: batchRow.tenant,
      id: batchRow.id,
      kind: batchRow.kind as UploadBatch["kind"],
      createdAt: batchRow.created_at,
      receivedAt: batchRow.received_at,
    },
    outcomes,
    documents,
    failures,
    failureCount,
    indexedChunks,
  };
}

function documentState(status: DocumentStatus | null, current: boolean): BatchDocumentState {
  if (status === null) return "deleted";
  return current ? status : "superseded";
}
