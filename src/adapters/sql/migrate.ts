import type { Kysely } from "kysely";
import { Migrator, type Migration, type MigrationProvider } from "kysely";
import * as initial from "./migrations/0001-initial.js";
import * as embeddingCacheExpiry from "./migrations/0002-embedding-cache-expiry.js";
import * as uploadBatches from "./migrations/0003-upload-batches.js";
import * as keysAndUsage from "./migrations/0004-keys-and-usage.js";
import * as blobs from "./migrations/0005-blobs.js";
import * as answersAndReviews from "./migrations/0006-answers-and-reviews.js";
import type { SqlDatabase } from "./sql-schema.js";

/** Every migration, in order; a new one is a file in migrations/ and a row here. Names never change. */
const MIGRATIONS: Record<string, Migration> = {
  "0001-initial": initial,
  "0002-embedding-cache-expiry": embeddingCacheExpiry,
  "0003-upload-batches": uploadBatches,
  "0004-keys-and-usage": keysAndUsage,
  "0005-blobs": blobs,
  "0006-answers-and-reviews": answersAndReviews,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Brings the schema to the latest version. Idempotent; on PostgreSQL, processes that start together
 * serialise on Kysely's migration lock, so each migration runs once. Throws with the failing
 * migration's name when one fails (nothing after it runs).
 */
export async function migrateToLatest(db: Kysely<SqlDatabase>): Promise<string[]> {
  const migrator = new Migrator({ db: db as unknown as Kysely<unknown>, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === "Error");
  if (error) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration ${failed ? `"${failed.migrationName}" ` : ""}failed: ${cause}`, { cause: error });
  }
  return (results ?? []).filter((result) => result.status === "Success").map((result) => result.migrationName);
}
