import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { withCachedStatements } from "./cached-statements.js";
import { migrateToLatest } from "./migrate.js";
import type { SqlDatabase } from "./sql-schema.js";

export type SqlDialectName = "sqlite" | "postgres";

/** An open, migrated database: the one handle every SQL repository of a process shares. */
export interface SqlState {
  db: Kysely<SqlDatabase>;
  dialect: SqlDialectName;
  close(): Promise<void>;
}

/** Thrown when another process already holds the embedded database. */
export class DatabaseInUseError extends Error {}

export interface SqliteOptions {
  /** Database file (its directory is created). */
  path: string;
  /**
   * `full`: a commit is on disk before it is acknowledged (survives power loss). `normal`: WAL is
   * synced at checkpoints only — a process crash (even kill -9) loses nothing, a power cut may lose
   * the last commits.
   */
  synchronous?: "full" | "normal";
}

/**
 * Opens the embedded SQLite database in WAL mode, migrated to the latest schema, and takes SQLite's
 * own exclusive lock on it for the life of the process: a second process on the same file fails
 * with DatabaseInUseError at once (the OS releases the lock when its holder dies, even by kill -9).
 */
export async function openSqliteDatabase(options: SqliteOptions): Promise<SqlState> {
  mkdirSync(dirname(options.path), { recursive: true });
  const sqlite = new BetterSqlite3(options.path, { timeout: 0 });
  try {
    sqlite.pragma("locking_mode = EXCLUSIVE");
    sqlite.pragma("journal_mode = WAL");
    // The exclusive lock is taken by the first write and kept until the connection closes.
    sqlite.exec("BEGIN IMMEDIATE; COMMIT;");
  } catch (error) {
    sqlite.close();
    if ((error as { code?: string }).code === "SQLITE_BUSY") {
      throw new DatabaseInUseError(`${options.path} is in use by another Ragline process (one process per data directory)`);
    }
    throw error;
  }
  sqlite.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
  sqlite.pragma("foreign_keys = ON");
  const db = new Kysely<SqlDatabase>({ dialect: new SqliteDialect({ database: withCachedStatements(sqlite) }) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect: "sqlite", close: () => db.destroy() };
}

/** Opens a PostgreSQL database (`postgres://…`) through a connection pool, migrated to the latest schema. */
export async function openPostgresDatabase(options: { url: string; maxConnections?: number }): Promise<SqlState> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 10 });
  // An idle client the server dropped (restart, admin command) is replaced on next use; without a
  // listener its error would crash the process.
  pool.on("error", () => {});
  const db = new Kysely<SqlDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect: "postgres", close: () => db.destroy() };
}
