import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

const DEFAULT_MAX_STATEMENTS = 256;

/**
 * The database as Kysely's SQLite dialect sees it, with `prepare` answered from a bounded cache of
 * prepared statements keyed by SQL text (least recently used dropped first): the driver prepares
 * every query it runs, and parsing the same few statements again on each call was a large share of
 * the main thread's SQL time. Reuse is safe because Kysely runs one statement at a time on its
 * single connection and runs each to completion (`all`/`run`) before the next.
 */
export function withCachedStatements(sqlite: BetterSqlite3.Database, maxStatements = DEFAULT_MAX_STATEMENTS): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    prepare(source) {
      let statement = statements.get(source);
      if (statement) {
        // Most recently used last, so the first key is the one to drop.
        statements.delete(source);
      } else {
        statement = sqlite.prepare(source);
        if (statements.size >= maxStatements) statements.delete(statements.keys().next().value as string);
      }
      statements.set(source, statement);
      return statement;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}
