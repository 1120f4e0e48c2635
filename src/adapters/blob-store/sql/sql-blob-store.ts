import type { Kysely } from "kysely";
import type { BlobEntry, BlobStore } from "../../../ports/document-repository.js";
import type { SqlDatabase } from "../../sql/sql-schema.js";
import type { SqlState } from "../../sql/open-database.js";

/** Rows per insert statement in `putMany` and keys per coalesced read (far below SQLite's and PostgreSQL's parameter limits). */
const ROWS_PER_STATEMENT = 500;

/**
 * `BlobStore` on the SQL state database (table `blobs`), for small uploads: one row per key instead of
 * one file, so a bulk upload's group is one transaction, and in server mode every worker reads the
 * uploads from PostgreSQL without a shared disk. Bytes are a binary column on both dialects.
 */
export class SqlBlobStore implements BlobStore {
  private readonly db: Kysely<SqlDatabase>;
  /** Keys asked for since the last read, each with its callers. */
  private pendingGets: Map<string, Array<{ resolve: (bytes: Uint8Array | null) => void; reject: (error: unknown) => void }>> | null = null;

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

  /**
   * The stored bytes, or null when the key is unknown. Gets asked in the same tick (an ingest batch
   * reads its documents' blobs together) share one `where key in (…)` query instead of one query each.
   */
  get(key: string): Promise<Uint8Array | null> {
    return new Promise((resolve, reject) => {
      if (this.pendingGets === null) {
        this.pendingGets = new Map();
        queueMicrotask(() => void this.readPending());
      }
      const waiters = this.pendingGets.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.pendingGets.set(key, waiters);
    });
  }

  private async readPending(): Promise<void> {
    const pending = this.pendingGets!;
    this.pendingGets = null;
    const keys = [...pending.keys()];
    for (let start = 0; start < keys.length; start += ROWS_PER_STATEMENT) {
      const slice = keys.slice(start, start + ROWS_PER_STATEMENT);
      try {
        const rows = await this.db.selectFrom("blobs").select(["key", "bytes"]).where("key", "in", slice).execute();
        const found = new Map(rows.map((row) => [row.key, row.bytes]));
        for (const key of slice) {
          const bytes = found.get(key);
          for (const waiter of pending.get(key)!) waiter.resolve(bytes === undefined ? null : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        }
      } catch (error) {
        for (const key of slice) for (const waiter of pending.get(key)!) waiter.reject(error);
      }
    }
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
