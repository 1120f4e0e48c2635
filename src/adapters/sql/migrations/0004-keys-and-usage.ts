import type { Kysely } from "kysely";

/**
 * API keys managed at runtime (an optional expiry per key, a tenant's keys listed by creation) and the
 * usage ledger's key attribution (the key a model call was made for, when known).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("api_keys").addColumn("expires_at", "text").execute();
  await db.schema.createIndex("api_keys_tenant_created").on("api_keys").columns(["tenant", "created_at", "id"]).execute();
  await db.schema.alterTable("usage").addColumn("key_id", "text").execute();
  await db.schema.createIndex("usage_created").on("usage").columns(["created_at"]).execute();
}
