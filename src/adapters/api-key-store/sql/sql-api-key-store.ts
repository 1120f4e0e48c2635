import type { Kysely, Selectable } from "kysely";
import { API_KEY_SCOPES, type ApiKeyScope } from "../../../core/api-keys.js";
import type { ApiKeyPage, ApiKeyRecord, ApiKeyStore } from "../../../ports/api-key-store.js";
import { newestFirstPage } from "../../sql/list-cursor.js";
import type { SqlState } from "../../sql/open-database.js";
import type { ApiKeysTable, SqlDatabase } from "../../sql/sql-schema.js";

const KNOWN_SCOPES = new Set<string>(API_KEY_SCOPES);

function recordFromRow(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  const scopes = (JSON.parse(row.scopes) as unknown[]).filter((scope): scope is ApiKeyScope => typeof scope === "string" && KNOWN_SCOPES.has(scope));
  return {
    id: row.id,
    tenant: row.tenant,
    keyHash: row.key_hash,
    scopes,
    name: row.name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/** ApiKeyStore on the `api_keys` table (SQLite embedded, PostgreSQL in server mode; one Kysely code). */
export class SqlApiKeyStore implements ApiKeyStore {
  private readonly db: Kysely<SqlDatabase>;

  constructor(state: Pick<SqlState, "db">) {
    this.db = state.db;
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    await this.db
      .insertInto("api_keys")
      .values({
        id: record.id,
        tenant: record.tenant,
        key_hash: record.keyHash,
        scopes: JSON.stringify(record.scopes),
        name: record.name,
        created_at: record.createdAt,
        expires_at: record.expiresAt,
        revoked_at: record.revokedAt,
      })
      .execute();
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = await this.db.selectFrom("api_keys").selectAll().where("key_hash", "=", keyHash).executeTakeFirst();
    return row ? recordFromRow(row) : null;
  }

  async list(options: { tenant?: string; limit: number; cursor?: string | null }): Promise<ApiKeyPage> {
    let query = this.db.selectFrom("api_keys").selectAll();
    if (options.tenant !== undefined) query = query.where("tenant", "=", options.tenant);
    const { items, nextCursor } = await newestFirstPage(query, options, recordFromRow);
    return { keys: items, nextCursor };
  }

  async revoke(id: string, at: string): Promise<ApiKeyRecord | null> {
    await this.db.updateTable("api_keys").set({ revoked_at: at }).where("id", "=", id).where("revoked_at", "is", null).execute();
    const row = await this.db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? recordFromRow(row) : null;
  }
}
