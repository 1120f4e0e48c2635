import type { Kysely } from "kysely";

/**
 * Answer records (`answer_id`), the review queue, feedback and the reviewed corrections reused as
 * few-shot examples. The `feedback` and `reviews` tables of 0001 were placeholders no code ever wrote:
 * they are replaced by the shapes below.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("feedback").execute();
  await db.schema.dropTable("reviews").execute();

  await db.schema
    .createTable("answers")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("tenant", "text", (column) => column.notNull())
    .addColumn("key_id", "text")
    .addColumn("question", "text", (column) => column.notNull())
    .addColumn("answer", "text")
    .addColumn("citations", "text", (column) => column.notNull())
    .addColumn("answer_status", "text", (column) => column.notNull())
    .addColumn("prompt_version", "text")
    .addColumn("model", "text")
    .addColumn("judge_version", "text")
    .addColumn("review", "text")
    .addColumn("examples", "text", (column) => column.notNull())
    .addColumn("created_at", "text", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("answers_tenant_created").on("answers").columns(["tenant", "created_at", "id"]).execute();

  await db.schema
    .createTable("reviews")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("tenant", "text", (column) => column.notNull())
    .addColumn("answer_id", "text", (column) => column.notNull())
    .addColumn("feedback_id", "text")
    .addColumn("question", "text", (column) => column.notNull())
    .addColumn("answer", "text")
    .addColumn("citations", "text", (column) => column.notNull())
    .addColumn("score", "real")
    .addColumn("reasons", "text", (column) => column.notNull())
    .addColumn("judge_version", "text")
    .addColumn("prompt_version", "text")
    .addColumn("proposed_answer", "text")
    .addColumn("state", "text", (column) => column.notNull())
    .addColumn("corrected_answer", "text")
    .addColumn("comment", "text")
    .addColumn("example_id", "text")
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("decided_at", "text")
    .addColumn("decided_by", "text")
    .execute();
  await db.schema.createIndex("reviews_tenant_state_created").on("reviews").columns(["tenant", "state", "created_at", "id"]).execute();
  await db.schema.createIndex("reviews_feedback").on("reviews").columns(["feedback_id"]).execute();

  await db.schema
    .createTable("feedback")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("tenant", "text", (column) => column.notNull())
    .addColumn("answer_id", "text", (column) => column.notNull())
    .addColumn("key_id", "text")
    .addColumn("rating", "text", (column) => column.notNull())
    .addColumn("corrected_answer", "text")
    .addColumn("comment", "text")
    .addColumn("created_at", "text", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("feedback_tenant_answer").on("feedback").columns(["tenant", "answer_id"]).execute();

  await db.schema
    .createTable("answer_examples")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("tenant", "text", (column) => column.notNull())
    .addColumn("question", "text", (column) => column.notNull())
    .addColumn("answer", "text", (column) => column.notNull())
    .addColumn("embedding", "text", (column) => column.notNull())
    .addColumn("embedding_model", "text", (column) => column.notNull())
    .addColumn("review_id", "text")
    .addColumn("created_at", "text", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("answer_examples_tenant_created").on("answer_examples").columns(["tenant", "created_at", "id"]).execute();
}
