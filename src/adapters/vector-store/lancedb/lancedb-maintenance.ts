import { Index, type Table } from "@lancedb/lancedb";
import { callEngine } from "./lancedb-errors.js";
import { TERMS_COLUMN } from "./lancedb-schema.js";
import { type Logger } from "../../../ports/logger.js";

export interface LanceDbMaintenanceSettings {
  annIndexMinRows: number;
  /** Each optimize indexes new rows as one more part of the vector index; past this many parts it is rebuilt whole. */
  annMaxIndexParts: number;
  optimizeEveryWrites: number;
  optimizeEveryRows: number;
  optimizeAfterIdleMs: number;
  versionRetentionMs: number;
}

/** Scalar indexes that speed up the tenant/document prefilters and the merge on id. */
const SCALAR_INDEXES = [
  { column: "id", config: () => Index.btree() },
  { column: "tenant", config: () => Index.bitmap() },
  { column: "document_id", config: () => Index.btree() },
] as const;

/**
 * The full-text index on `terms`: split on whitespace and nothing else (no lowercasing, stemming, stop
 * words or folding, no length cut-off), since the column already holds core's analysed terms.
 */
export const TERMS_INDEX_OPTIONS = {
  baseTokenizer: "whitespace",
  lowercase: false,
  stem: false,
  removeStopWords: false,
  asciiFolding: false,
  maxTokenLength: 2 ** 31 - 1,
  withPosition: false,
} as const;

/**
 * Index building and compaction of the chunks table. Everything here runs as a task of the store's
 * write lock; `noteWrite` counts commits and queues an optimize after N writes, M rows, or once
 * writes have paused for the idle delay, never on every write. Queries never wait for it: a table
 * left with many small fragments (and rows the full-text index has not absorbed) is slow to search,
 * so the idle delay is short.
 */
export class LanceDbMaintenance {
  hasFullTextIndex = false;
  hasVectorIndex = false;
  private writesSinceOptimize = 0;
  private rowsSinceOptimize = 0;
  private optimizeQueued = false;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Fires once the versions an optimize had to keep (younger than the retention) are old enough to delete. */
  private pruneTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly writer: { run<T>(task: () => Promise<T>): Promise<T> },
    private readonly logger: Logger,
    private readonly settings: LanceDbMaintenanceSettings,
  ) {}

  async loadIndexState(table: Table): Promise<Set<string>> {
    const indices = await callEngine("list indices", () => table.listIndices());
    const indexedColumns = new Set(indices.flatMap((index) => index.columns));
    this.hasFullTextIndex = indices.some((index) => index.indexType === "FTS" && index.columns.includes(TERMS_COLUMN));
    this.hasVectorIndex = indexedColumns.has("vector");
    return indexedColumns;
  }

  /**
   * Creates the full-text and scalar indexes when missing (they can be built on an empty table) and drops
   * a full-text index on any other column (the previous version's, on `text`). Writer task only.
   */
  async ensureIndexes(table: Table): Promise<void> {
    for (const stale of (await callEngine("list indices", () => table.listIndices())).filter(
      (index) => index.indexType === "FTS" && !index.columns.includes(TERMS_COLUMN),
    )) {
      await callEngine("drop full-text index", () => table.dropIndex(stale.name));
      this.logger.info({ index: stale.name, columns: stale.columns }, "LanceDB full-text index on another column dropped");
    }
    const indexedColumns = await this.loadIndexState(table);
    if (!this.hasFullTextIndex) {
      await callEngine("create full-text index", () => table.createIndex(TERMS_COLUMN, { config: Index.fts(TERMS_INDEX_OPTIONS) }));
      this.hasFullTextIndex = true;
    }
    for (const { column, config } of SCALAR_INDEXES) {
      if (!indexedColumns.has(column)) await callEngine(`create ${column} index`, () => table.createIndex(column, { config: config() }));
    }
    await this.buildVectorIndexWhenDue(table);
  }

  /** Called by the writer after each commit. */
  noteWrite(table: Table, rowCount: number): void {
    this.writesSinceOptimize += 1;
    this.rowsSinceOptimize += rowCount;
    if (this.writesSinceOptimize >= this.settings.optimizeEveryWrites || this.rowsSinceOptimize >= this.settings.optimizeEveryRows) {
      this.queueOptimize(table);
      return;
    }
    if (this.stopped) return;
    // Restarted on every write, so it fires once a burst of writes has ended.
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.writesSinceOptimize > 0) this.queueOptimize(table);
    }, this.settings.optimizeAfterIdleMs);
    this.idleTimer.unref();
  }

  /** Queues an optimize behind the pending writes and waits for it. */
  runNow(table: Table): Promise<void> {
    return this.writer.run(() => this.optimize(table));
  }

  stop(): void {
    this.stopped = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    this.pruneTimer = null;
  }

  /**
   * An optimize prunes only versions older than the retention, so the last burst of writes leaves
   * its versions on disk until the next optimize; with no further writes that would be never. One
   * more optimize once they are old enough deletes them (it arms no further prune itself).
   */
  private armPrune(table: Table): void {
    if (this.settings.versionRetentionMs <= 0 || this.stopped) return;
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    this.pruneTimer = setTimeout(() => {
      this.pruneTimer = null;
      this.queueOptimize(table, { armPrune: false });
    }, this.settings.versionRetentionMs + 1_000);
    this.pruneTimer.unref();
  }

  private queueOptimize(table: Table, options = { armPrune: true }): void {
    if (this.optimizeQueued || this.stopped) return;
    this.optimizeQueued = true;
    this.writer
      .run(() => this.optimize(table, options))
      .catch((error: unknown) => {
        this.logger.warn({ error: error instanceof Error ? error.message : String(error) }, "LanceDB optimize failed; retried after the next writes");
      });
  }

  private async optimize(table: Table, options = { armPrune: true }): Promise<void> {
    this.optimizeQueued = false;
    this.writesSinceOptimize = 0;
    this.rowsSinceOptimize = 0;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    await this.buildVectorIndexWhenDue(table);
    const started = performance.now();
    // Compacts fragments, folds new rows into the FTS/scalar/ANN indexes, prunes old versions.
    const stats = await callEngine("optimize", () => table.optimize({ cleanupOlderThan: new Date(Date.now() - this.settings.versionRetentionMs) }));
    this.logger.info(
      { fragmentsRemoved: stats.compaction.fragmentsRemoved, versionsRemoved: stats.prune.oldVersionsRemoved, ms: Math.round(performance.now() - started) },
      "LanceDB table optimized",
    );
    if (this.hasVectorIndex) await this.rebuildVectorIndexWhenSplit(table);
    if (options.armPrune) this.armPrune(table);
  }

  private async buildVectorIndexWhenDue(table: Table): Promise<void> {
    if (this.hasVectorIndex) return;
    const rows = await callEngine("count", () => table.countRows());
    if (rows < this.settings.annIndexMinRows) return;
    await this.buildVectorIndex(table, rows, "built");
    this.hasVectorIndex = true;
  }

  /**
   * Every optimize adds the rows written since as one more part of the vector index, and a query
   * searches every part (at 116k rows written in 10k-row bursts: 30 parts, dense queries about twice
   * as slow as on one index). Past `annMaxIndexParts` the index is trained again on all rows, as one.
   */
  private async rebuildVectorIndexWhenSplit(table: Table): Promise<void> {
    const index = (await callEngine("list indices", () => table.listIndices())).find((candidate) => candidate.columns.includes("vector"));
    if (!index) return;
    const parts = (await callEngine("index stats", () => table.indexStats(index.name)))?.numIndices ?? 1;
    if (parts <= this.settings.annMaxIndexParts) return;
    await this.buildVectorIndex(table, await callEngine("count", () => table.countRows()), `rebuilt from ${parts} parts`);
  }

  private async buildVectorIndex(table: Table, rows: number, what: string): Promise<void> {
    const started = performance.now();
    // One HNSW graph per million rows keeps training memory bounded; SQ keeps recall high.
    const numPartitions = Math.max(1, Math.round(rows / 1_000_000));
    const config = Index.hnswSq({ distanceType: "cosine", numPartitions });
    await callEngine("create vector index", () => table.createIndex("vector", { config, replace: true }));
    this.logger.info({ rows, numPartitions, ms: Math.round(performance.now() - started) }, `LanceDB vector index ${what}`);
  }
}
