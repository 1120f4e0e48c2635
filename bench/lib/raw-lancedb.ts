import { connect, Index, MatchQuery, type Table } from "@lancedb/lancedb";
import type { RecordBatch } from "apache-arrow";

const COPIED_COLUMNS = ["id", "tenant", "document_id", "text", "vector"];
const ROWS_PER_COMMIT = 50_000;

/** One question's candidates from the raw table: dense (cosine) and full-text (BM25), document ids best first. */
export interface RawCandidates {
  dense: string[];
  lexical: string[];
}

/**
 * The anchor a user would pick instead of Ragline: LanceDB in-process on the same rows, bulk-loaded
 * in a few large commits and indexed once — the vector with the same IVF-HNSW-SQ settings the
 * service's store uses (cosine, one partition per million rows, refine to exact distances), full-text
 * on the text with LanceDB's own stemming tokenizer, a bitmap index on the tenant.
 */
export class RawLanceDbAnchor {
  private constructor(private readonly table: Table) {}

  /** Copies the rows of the service's `chunks` table (closed or idle) into a new table in `directory`, then indexes it. */
  static async copyFrom(serviceLanceDir: string, directory: string): Promise<RawLanceDbAnchor> {
    const source = await (await connect(serviceLanceDir)).openTable("chunks");
    const target = await connect(directory);
    let table: Table | null = null;
    let pending: RecordBatch[] = [];
    let pendingRows = 0;
    const flush = async () => {
      if (pendingRows === 0) return;
      const rows = pending.flatMap((batch) => batch.toArray().map((row) => rowObject(row as Record<string, unknown>)));
      table = table ? (await table.add(rows), table) : await target.createTable("chunks", rows);
      pending = [];
      pendingRows = 0;
    };
    for await (const batch of source.query().select(COPIED_COLUMNS)) {
      pending.push(batch);
      pendingRows += batch.numRows;
      if (pendingRows >= ROWS_PER_COMMIT) await flush();
    }
    await flush();
    source.close();
    if (!table) throw new Error("the service's table is empty");
    const built: Table = table;
    const rows = await built.countRows();
    await built.createIndex("vector", { config: Index.hnswSq({ distanceType: "cosine", numPartitions: Math.max(1, Math.round(rows / 1_000_000)) }) });
    await built.createIndex("text", { config: Index.fts({ stem: true, removeStopWords: true, lowercase: true, withPosition: false }) });
    await built.createIndex("tenant", { config: Index.bitmap() });
    return new RawLanceDbAnchor(built);
  }

  async countRows(): Promise<number> {
    return this.table.countRows();
  }

  /**
   * Dense top-`limit` (the index asked for `refineFactor` × limit, re-ranked to exact cosine, as the
   * service's store asks) and full-text top-`limit`, both filtered on the tenant.
   */
  async candidates(vector: Float32Array, question: string, limit: number, refineFactor: number): Promise<RawCandidates> {
    const where = "tenant = 'default'";
    const dense = this.table
      .vectorSearch(vector)
      .distanceType("cosine")
      .where(where)
      .refineFactor(refineFactor)
      .ef(2 * refineFactor * limit)
      .select(["document_id", "_distance"])
      .limit(limit);
    const [denseRows, lexical] = await Promise.all([
      dense.toArray(),
      this.table.query().fullTextSearch(new MatchQuery(question, "text")).where(where).select(["document_id", "_score"]).limit(limit).toArray(),
    ]);
    const ids = (rows: Array<Record<string, unknown>>) => rows.map((row) => String(row.document_id));
    return { dense: ids(denseRows), lexical: ids(lexical) };
  }

  /** Exact dense top-`limit` (the index bypassed): what the ANN index is measured against. */
  async exactDense(vector: Float32Array, limit: number): Promise<string[]> {
    const rows = await this.table
      .vectorSearch(vector)
      .distanceType("cosine")
      .where("tenant = 'default'")
      .bypassVectorIndex()
      .select(["document_id", "_distance"])
      .limit(limit)
      .toArray();
    return rows.map((row: Record<string, unknown>) => String(row.document_id));
  }

  close(): void {
    this.table.close();
  }
}

function rowObject(row: Record<string, unknown>): Record<string, unknown> {
  const vector = row.vector as { toArray(): Float32Array };
  return { id: row.id, tenant: row.tenant, document_id: row.document_id, text: row.text, vector: Array.from(vector.toArray()) };
}

/** The physical shape of a LanceDB table, which query cost depends on: fragments, and each index's parts and unindexed rows. */
export async function describeTable(directory: string, tableName = "chunks"): Promise<string> {
  const connection = await connect(directory);
  const table = await connection.openTable(tableName);
  try {
    const stats = await table.stats();
    const indexes: string[] = [];
    for (const index of await table.listIndices()) {
      const statistics = await table.indexStats(index.name);
      indexes.push(
        `${index.columns.join("+")} ${statistics?.indexType ?? "?"} (${statistics?.numIndices ?? "?"} parts, ${statistics?.numUnindexedRows ?? "?"} unindexed)`,
      );
    }
    return `${stats.numRows} rows in ${stats.fragmentStats.numFragments} fragments; ${indexes.join(", ")}`;
  } finally {
    table.close();
    connection.close();
  }
}
