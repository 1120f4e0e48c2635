import type { Kysely } from "kysely";

/**
 * Small uploaded blobs kept in the state database (one row each) instead of one file per document.
 * The column type is `bytea` on both dialects: PostgreSQL's binary type; SQLite accepts any type name
 * and stores a bound buffer as a BLOB unchanged (affinity only converts text), so one migration serves both.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("blobs")
    .addColumn("key", "text", (column) => column.primaryKey())
    .addColumn("bytes", "bytea", (column) => column.notNull())
    .execute();
}
