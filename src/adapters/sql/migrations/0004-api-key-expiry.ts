import type { Kysely } from "kysely";

/** API keys managed at runtime: an optional expiry per key, and listing a tenant's keys by creation. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("api_keys").addColumn("expires_at", "text").execute();
  await db.schema.createIndex("api_keys_tenant_created").on("api_keys").columns(["tenant", "created_at", "id"]).execute();
}
