import type { Kysely } from "kysely";

/** The cache sweep deletes expired rows by `expires_at`: an index keeps that a range scan instead of a full table read. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("embedding_cache_expires").on("embedding_cache").column("expires_at").execute();
}
