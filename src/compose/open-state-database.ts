import { join, resolve } from "node:path";
import { DatabaseInUseError, openPostgresDatabase, openSqliteDatabase, type SqlState } from "../adapters/sql/open-database.js";
import type { Config } from "../config/schema.js";

// The entry point refuses to start on it without importing an adapter.
export { DatabaseInUseError };

/**
 * The process's one state database: PostgreSQL at `database.url` (server mode), else SQLite in
 * DATA_DIR (`ragline.sqlite`), opened and migrated. Every SQL repository of the process shares it.
 * Throws DatabaseInUseError when another process holds the SQLite file (one process per data directory).
 */
export async function openStateDatabase(config: Config): Promise<SqlState> {
  if (config.database.url) return openPostgresDatabase({ url: config.database.url });
  return openSqliteDatabase({ path: join(resolve(config.server.dataDir), "ragline.sqlite"), synchronous: config.database.sqliteSynchronous });
}
