import type { Kysely } from "kysely";

/**
 * Upload batches: every upload request is a batch, each of its items (accepted, duplicate, updated
 * or refused) one row in request order. Documents get an index for listing a tenant's documents by
 * status (the per-tenant job listing reads it), jobs indexes for listing them by state.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("upload_batches")
    .addColumn("tenant", "text", (column) => column.notNull())
    .addColumn("id", "text", (column) => column.notNull())
    .addColumn("kind", "text", (column) => column.notNull())
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("received_at", "text")
    .addPrimaryKeyConstraint("upload_batches_pk", ["tenant", "id"])
    .execute();

  await db.schema
    .createTable("upload_batch_items")
    .addColumn("tenant", "text", (column) => column.notNull())
    .addColumn("batch_id", "text", (column) => column.notNull())
    .addColumn("position", "integer", (column) => column.notNull())
    .addColumn("name", "text")
    .addColumn("outcome", "text", (column) => column.notNull())
    .addColumn("document_id", "text")
    .addColumn("job_id", "text")
    .addColumn("reason", "text")
    .addPrimaryKeyConstraint("upload_batch_items_pk", ["tenant", "batch_id", "position"])
    .execute();

  // JobQueue.list by state: newest first by creation (queued, active) or by finish (completed, failed).
  await db.schema.createIndex("jobs_state_created").on("jobs").columns(["state", "created_at"]).execute();
  await db.schema.createIndex("jobs_state_finished").on("jobs").columns(["state", "finished_at"]).execute();
  await db.schema.createIndex("documents_tenant_status_created").on("documents").columns(["tenant", "status", "created_at", "id"]).execute();
}
