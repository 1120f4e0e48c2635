import type { Table } from "@lancedb/lancedb";
import { Table as ArrowTable, Utf8, vectorFromArray, type Schema } from "apache-arrow";
import { callEngine } from "./lancedb-errors.js";
import { TERMS_COLUMN } from "./lancedb-schema.js";
import { chunkIndexTerms } from "../lexical-terms.js";
import { type Logger } from "../../../ports/logger.js";

/** Rows filled per commit when a table made before the `terms` column is migrated. */
export const TERMS_MIGRATION_BATCH_ROWS = 5_000;

/**
 * Whether every row of a table with this schema has its `terms`: the column exists and is non-nullable.
 * Tables made by this version are created that way; a migrated table is made non-nullable once filled.
 */
export function hasCompleteTermsColumn(schema: Schema): boolean {
  const field = schema.fields.find((candidate) => candidate.name === TERMS_COLUMN);
  return field !== undefined && !field.nullable;
}

/**
 * Brings a chunks table made before the `terms` column existed up to date, in place: adds the column
 * (null in every row), fills it from each row's title and text in batches of `batchRows` (one commit
 * each, only `id` and `terms` written), then makes it non-nullable, which marks the migration done.
 * Interrupted, it resumes at the next call with the rows still null. The caller rebuilds the full-text
 * index afterwards (LanceDbMaintenance.ensureIndexes). Writer task only. Returns the rows filled.
 */
export async function migrateTermsColumn(table: Table, logger: Logger, batchRows = TERMS_MIGRATION_BATCH_ROWS): Promise<number> {
  const schema = await callEngine("read schema", () => table.schema());
  if (!schema.fields.some((field) => field.name === TERMS_COLUMN)) {
    logger.info({ column: TERMS_COLUMN }, "LanceDB table predates the terms column; migrating it in place");
    await callEngine("add terms column", () => table.addColumns([{ name: TERMS_COLUMN, valueSql: "CAST(NULL AS STRING)" }]));
  }
  let filled = 0;
  const started = performance.now();
  for (;;) {
    const rows = await callEngine("read rows without terms", () =>
      table.query().where(`${TERMS_COLUMN} IS NULL`).select(["id", "title", "text"]).limit(batchRows).toArray(),
    );
    if (rows.length === 0) break;
    // Only `id` and `terms` are written. As an Arrow table: plain objects would be checked against the
    // whole schema, and the client takes a missing vector column for one an embedding function fills.
    const updates = new ArrowTable({
      id: vectorFromArray(
        rows.map((row: Record<string, unknown>) => String(row.id)),
        new Utf8(),
      ),
      [TERMS_COLUMN]: vectorFromArray(
        rows.map((row: Record<string, unknown>) => chunkIndexTerms({ text: String(row.text ?? ""), metadata: { title: String(row.title ?? "") } }).join(" ")),
        new Utf8(),
      ),
    });
    await callEngine("fill terms column", () => table.mergeInsert("id").whenMatchedUpdateAll().execute(updates));
    filled += rows.length;
    logger.info({ rows: filled }, "LanceDB terms column filling");
  }
  await callEngine("finish terms column", () => table.alterColumns([{ path: TERMS_COLUMN, nullable: false }]));
  logger.info({ rows: filled, ms: Math.round(performance.now() - started) }, "LanceDB terms column migrated");
  return filled;
}
