import type { Kysely, Selectable } from "kysely";
import { API_KEY_SCOPES, type ApiKeyScope } from "../../../core/api-keys.js";
import { ValidationError } from "../../../core/errors.js";
import type { ApiKeyPage, ApiKeyRecord, ApiKeyStore } from "../../../ports/api-key-store.js";
import { decodeCursor, encodeCursor } from "../../sql/list-cursor.js";
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
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new ValidationError("limit must be a positive integer", [{ path: "limit", message: "Expected a positive integer" }]);
    }
    let query = this.db.selectFrom("api_keys").selectAll();
    if (options.tenant !== undefined) query = query.where("tenant", "=", options.tenant);
    if (options.cursor) {
      const after = decodeCursor(options.cursor);
      query = query.where((where) =>
        where.or([where("created_at", "<", after.createdAt), where.and([where("created_at", "=", after.createdAt), where("id", ">", after.id)])]),
      );
    }
    const rows = await query
      .orderBy("created_at", "desc")
      .orderBy("id", "asc")
      .limit(options.limit + 1)
      .execute();
    const keys = rows.slice(0, options.limit).map(recordFromRow);
    const last = keys[keys.length - 1];
    return { keys, nextCursor: rows.length > options.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
  }

  async revoke(id: string, at: string): Promise<ApiKeyRecord | null> {
    await this.db.updateTable("api_keys").set({ revoked_at: at }).where("id", "=", id).where("revoked_at", "is", null).execute();
    const row = await this.db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? recordFromRow(row) : null;
  }
}
