import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connect, Index, type Connection, type Table } from "@lancedb/lancedb";
import { Schema, Table as ArrowTable, Utf8, vectorFromArray } from "apache-arrow";
import { afterEach, describe, expect, it } from "vitest";
import { recordingLogger } from "../helpers/recording-logger.js";
import { lexicalQueryTerms } from "../../src/core/ranking/lexical-query.js";
import { chunkPointToRow, createChunkSchema, TERMS_COLUMN } from "../../src/adapters/vector-store/lancedb/lancedb-schema.js";
import { hasCompleteTermsColumn, migrateTermsColumn } from "../../src/adapters/vector-store/lancedb/lancedb-terms-migration.js";
import { LanceDbVectorStore } from "../../src/adapters/vector-store/lancedb/lancedb-vector-store.js";
import type { ChunkPoint } from "../../src/ports/vector-store.js";
import { contractVector } from "./vector-store.contract.js";

const MODEL = "m";
const TEXTS = [
  "She was studying the archives of the old library",
  "fermentation of grain and hops",
  ...Array.from({ length: 10 }, (_, index) => `ordinary note number ${index} about gardens`),
];

function point(index: number): ChunkPoint {
  const text = TEXTS[index]!;
  return {
    id: `point-${index}`,
    tenant: "t",
    text,
    vector: contractVector(1, index / 10),
    metadata: {
      documentId: `doc-${index}`,
      title: index === 1 ? "Zymurgy handbook" : "Notes",
      source: "s",
      chunkIndex: 0,
      start: 0,
      end: text.length,
      headingPath: ["h"],
      page: null,
      contentHash: `hash-${index}`,
      embeddingModel: MODEL,
    },
  };
}

const points = TEXTS.map((_, index) => point(index));

/** A chunks table as the previous version wrote it: no `terms` column, the full-text index on `text`. */
async function createPreviousVersionTable(connection: Connection): Promise<Table> {
  const current = createChunkSchema({ model: MODEL, dimension: 8 });
  const previous = new Schema(
    current.fields.filter((field) => field.name !== TERMS_COLUMN),
    current.metadata,
  );
  const table = await connection.createEmptyTable("chunks", previous);
  await table.add(points.map((entry) => Object.fromEntries(Object.entries(chunkPointToRow(entry)).filter(([column]) => column !== TERMS_COLUMN))));
  await table.createIndex("text", { config: Index.fts({ withPosition: false }) });
  return table;
}

describe("LanceDbVectorStore on a table made before the terms column", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  async function previousVersionDirectory(): Promise<{ directory: string; connection: Connection; table: Table }> {
    const directory = await mkdtemp(path.join(os.tmpdir(), "ragline-lancedb-migration-"));
    const connection = await connect(directory);
    const table = await createPreviousVersionTable(connection);
    cleanups.push(async () => {
      table.close();
      connection.close();
      await rm(directory, { recursive: true, force: true });
    });
    return { directory, connection, table };
  }

  it("is migrated in place by ensureCollection: terms filled, full-text index moved to terms, nothing else changed", async () => {
    const { directory, table } = await previousVersionDirectory();
    const logger = recordingLogger();
    const store = await LanceDbVectorStore.open({ directory, logger });
    cleanups.push(() => store.close());
    const lexical = async (question: string) =>
      (await store.candidates({ tenant: "t", dense: contractVector(1), lexicalTerms: lexicalQueryTerms(question), limit: 20 })).lexical;

    // Before the migration: dense-only answers, and writes are refused with the fix named.
    expect((await store.candidates({ tenant: "t", dense: contractVector(1), lexicalTerms: lexicalQueryTerms("archives"), limit: 20 })).dense).toHaveLength(
      points.length,
    );
    expect(await lexical("archives")).toEqual([]);
    await expect(store.upsert([point(0)])).rejects.toThrow(/predates the terms column; call ensureCollection/);

    await store.ensureCollection({ dimension: 8, model: MODEL });
    expect(logger.lines.map((line) => line.message)).toEqual(expect.arrayContaining(["LanceDB terms column migrated"]));

    await table.checkoutLatest();
    expect(hasCompleteTermsColumn(await table.schema())).toBe(true);
    const fullText = (await table.listIndices()).filter((index) => index.indexType === "FTS");
    expect(fullText.map((index) => index.columns)).toEqual([[TERMS_COLUMN]]);
    expect(await store.count("t")).toBe(points.length);

    // Core's analysis now: a stem match and a title-only match, with text and metadata intact.
    expect((await lexical("Which studies?")).map((candidate) => candidate.id)).toEqual(["point-0"]);
    const titleOnly = await lexical("zymurgy");
    expect(titleOnly.map((candidate) => candidate.id)).toEqual(["point-1"]);
    expect(titleOnly[0]).toMatchObject({ text: points[1]!.text, metadata: points[1]!.metadata });

    await store.upsert([{ ...point(2), text: "a freshly written note about archives" }]);
    expect((await lexical("archive")).map((candidate) => candidate.id).sort()).toEqual(["point-0", "point-2"]);
  });

  it("does nothing more once migrated: a reopened store writes no new table version", async () => {
    const { directory, table } = await previousVersionDirectory();
    const first = await LanceDbVectorStore.open({ directory });
    await first.ensureCollection({ dimension: 8, model: MODEL });
    await first.close();
    await table.checkoutLatest();
    const version = await table.version();

    const logger = recordingLogger();
    const reopened = await LanceDbVectorStore.open({ directory, logger });
    cleanups.push(() => reopened.close());
    await reopened.ensureCollection({ dimension: 8, model: MODEL });
    await table.checkoutLatest();
    expect(await table.version()).toBe(version);
    expect(logger.lines.some((line) => line.message.includes("terms column"))).toBe(false);
  });

  it("fills the column in batches, one commit each, and resumes an interrupted migration", async () => {
    const { table } = await previousVersionDirectory();
    // Interrupted earlier: the column was added and three rows were filled, the rest is still null.
    await table.addColumns([{ name: TERMS_COLUMN, valueSql: "CAST(NULL AS STRING)" }]);
    const filledEarlier = points.slice(0, 3);
    await table
      .mergeInsert("id")
      .whenMatchedUpdateAll()
      .execute(
        new ArrowTable({
          id: vectorFromArray(
            filledEarlier.map((entry) => entry.id),
            new Utf8(),
          ),
          terms: vectorFromArray(
            filledEarlier.map((entry) => chunkPointToRow(entry).terms),
            new Utf8(),
          ),
        }),
      );
    expect(hasCompleteTermsColumn(await table.schema())).toBe(false);
    const before = await table.version();

    const filled = await migrateTermsColumn(table, recordingLogger(), 4);

    expect(filled).toBe(points.length - 3);
    // 9 rows in batches of 4: three fill commits, then the column made non-nullable.
    expect((await table.version()) - before).toBe(4);
    expect(hasCompleteTermsColumn(await table.schema())).toBe(true);
    const rows = await table.query().select(["id", TERMS_COLUMN]).toArray();
    expect(new Map(rows.map((row: Record<string, unknown>) => [String(row.id), String(row[TERMS_COLUMN])]))).toEqual(
      new Map(points.map((entry) => [entry.id, chunkPointToRow(entry).terms])),
    );
    expect(chunkPointToRow(points[1]!).terms).toBe("zymurgi handbook ferment grain hop");
  });
});
