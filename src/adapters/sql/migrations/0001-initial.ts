import type { Kysely } from "kysely";

/** Every table of the first schema; types chosen to mean the same on SQLite and PostgreSQL. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("documents")
    .addColumn("tenant", "text", (column) => column.notNull())
    .addColumn("id", "text", (column) => column.notNull())
    .addColumn("title", "text", (column) => column.notNull())
    .addColumn("source", "text", (column) => column.notNull())
    .addColumn("media_type", "text", (column) => column.notNull())
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("content_hash", "text", (column) => column.notNull())
    .addColumn("byte_size", "integer", (column) => column.notNull())
    .addColumn("chunk_count", "integer", (column) => column.notNull())
    .addColumn("metadata", "text", (column) => column.notNull())
    .addColumn("revision", "integer", (column) => column.notNull())
    .addColumn("job_id", "text", (column) => column.notNull())
    .addColumn("error", "text")
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("updated_at", "text", (column) => column.notNull())
    .addColumn("indexed_at", "text")
    .addPrimaryKeyConstraint("documents_pk", ["tenant", "id"])
    .execute();
  await db.schema.createIndex("documents_tenant_created").on("documents").columns(["tenant", "created_at", "id"]).execute();
  await db.schema.createIndex("documents_status_updated").on("documents").columns(["status", "updated_at"]).execute();

  await db.schema
    .createTable("jobs")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("data", "text", (column) => column.notNull())
    .addColumn("state", "text", (column) => column.notNull())
    .addColumn("attempts", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (column) => column.notNull())
    .addColumn("crashes", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("progress", "real", (column) => column.notNull().defaultTo(0))
    .addColumn("error", "text")
    .addColumn("run_after", "text", (column) => column.notNull())
    .addColumn("lease_owner", "text")
    .addColumn("lease_expires_at", "text")
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("updated_at", "text", (column) => column.notNull())
    .addColumn("finished_at", "text")
    .addColumn("relayed_at", "text")
    .execute();
  await db.schema.createIndex("jobs_state_run_after").on("jobs").columns(["state", "run_after"]).execute();
  await db.schema.createIndex("jobs_unrelayed").on("jobs").columns(["relayed_at", "created_at"]).execute();

  await db.schema
    .createTable("embedding_cache")
    .addColumn("key", "text", (column) => column.primaryKey())
    .addColumn("value", "text", (column) => column.notNull())
    .addColumn("expires_at", "text")
    .addColumn("used_at", "text", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("embedding_cache_used").on("embedding_cache").column("used_at").execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("tenant", "text", (column) => column.notNull())
    .addColumn("key_hash", "text", (column) => column.notNull().unique())
    .addColumn("scopes", "text", (column) => column.notNull())
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("revoked_at", "text")
    .execute();

  await db.schema
    .createTable("usage")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("tenant", "text", (column) => column.notNull())
    .addColumn("task", "text", (column) => column.notNull())
    .addColumn("provider", "text", (column) => column.notNull())
    .addColumn("model", "text", (column) => column.notNull())
    .addColumn("prompt_version", "text", (column) => column.notNull())
    .addColumn("input_tokens", "integer", (column) => column.notNull())
    .addColumn("output_tokens", "integer", (column) => column.notNull())
    .addColumn("cached_tokens", "integer", (column) => column.notNull())
    .addColumn("cost_usd", "real", (column) => column.notNull())
    .addColumn("latency_ms", "real", (column) => column.notNull())
    .addColumn("outcome", "text", (column) => column.notNull())
    .addColumn("created_at", "text", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("usage_tenant_created").on("usage").columns(["tenant", "created_at"]).execute();

  await db.schema
    .createTable("feedback")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("tenant", "text", (column) => column.notNull())
    .addColumn("query_id", "text", (column) => column.notNull())
    .addColumn("rating", "integer", (column) => column.notNull())
    .addColumn("comment", "text")
    .addColumn("created_at", "text", (column) => column.notNull())
    .execute();

  await db.schema
    .createTable("reviews")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("tenant", "text", (column) => column.notNull())
    .addColumn("question", "text", (column) => column.notNull())
    .addColumn("answer", "text", (column) => column.notNull())
    .addColumn("evidence", "text", (column) => column.notNull())
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("correction", "text")
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("reviewed_at", "text")
    .execute();
  await db.schema.createIndex("reviews_tenant_status").on("reviews").columns(["tenant", "status", "created_at"]).execute();

  await db.schema
    .createTable("eval_runs")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("dataset", "text", (column) => column.notNull())
    .addColumn("settings", "text", (column) => column.notNull())
    .addColumn("metrics", "text")
    .addColumn("started_at", "text", (column) => column.notNull())
    .addColumn("finished_at", "text")
    .execute();
}
