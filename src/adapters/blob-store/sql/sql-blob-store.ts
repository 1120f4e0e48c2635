import type { Kysely } from "kysely";
import type { BlobEntry, BlobStore } from "../../../ports/document-repository.js";
import type { SqlDatabase } from "../../sql/sql-schema.js";
import type { SqlState } from "../../sql/open-database.js";

/** Rows per insert statement in `putMany` (two parameters each; far below SQLite's and PostgreSQL's limits). */
const ROWS_PER_STATEMENT = 500;

/**
 * `BlobStore` on the SQL state database (table `blobs`), for small uploads: one row per key instead of
 * one file, so a bulk upload's group is one transaction, and in server mode every worker reads the
 * uploads from PostgreSQL without a shared disk. Bytes are a binary column on both dialects.
 */
export class SqlBlobStore implements BlobStore {
  private readonly db: Kysely<SqlDatabase>;

  constructor(state: SqlState) {
    this.db = state.db;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.putMany([{ key, bytes }]);
  }

  /** All entries in one transaction; a key given twice keeps its last bytes. */
  async putMany(entries: ReadonlyArray<BlobEntry>): Promise<void> {
    const rows = [...new Map(entries.map((entry) => [entry.key, { key: entry.key, bytes: asBuffer(entry.bytes) }])).values()];
    if (rows.length === 0) return;
    const insertRows = async (db: Kysely<SqlDatabase>, slice: typeof rows): Promise<void> => {
      await db
        .insertInto("blobs")
        .values(slice)
        .onConflict((conflict) => conflict.column("key").doUpdateSet((update) => ({ bytes: update.ref("excluded.bytes") })))
        .execute();
    };
    if (rows.length <= ROWS_PER_STATEMENT) return insertRows(this.db, rows);
    await this.db.transaction().execute(async (transaction) => {
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        await insertRows(transaction, rows.slice(start, start + ROWS_PER_STATEMENT));
      }
    });
  }

  /** The stored bytes, or null when the key is unknown. */
  async get(key: string): Promise<Uint8Array | null> {
    const row = await this.db.selectFrom("blobs").select("bytes").where("key", "=", key).executeTakeFirst();
    if (!row) return null;
    const bytes = row.bytes;
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Idempotent: deleting a missing key is not an error. */
  async delete(key: string): Promise<void> {
    await this.db.deleteFrom("blobs").where("key", "=", key).execute();
  }
}

/** Both drivers bind a Node Buffer as binary (better-sqlite3 refuses a plain Uint8Array); this view copies nothing. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
