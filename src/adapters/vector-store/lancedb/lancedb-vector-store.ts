import { connect, type Connection, type Table } from "@lancedb/lancedb";
import { ConflictError, UpstreamUnavailableError } from "../../../core/errors.js";
import { assertValidCandidatesRequest, assertValidCollectionOptions, assertValidPoints } from "../../../core/vector-store-validation.js";
import { searchDense, searchLexical } from "./lancedb-candidates.js";
import { callEngine } from "./lancedb-errors.js";
import { buildDocumentPredicate, buildSearchPredicate, sqlStringLiteral } from "./lancedb-filter.js";
import { LanceDbMaintenance } from "./lancedb-maintenance.js";
import { chunkRowsToArrowTable } from "./lancedb-arrow-rows.js";
import { chunkPointToRow, createChunkSchema, readCollectionSettings, TERMS_COLUMN, type CollectionSettings } from "./lancedb-schema.js";
import { hasCompleteTermsColumn, migrateTermsColumn } from "./lancedb-terms-migration.js";
import { scoringTerms } from "../lexical-terms.js";
import { LanceDbWriteLock } from "./lancedb-write-lock.js";
import type { CandidateLists, CandidatesRequest, ChunkPoint, LexicalCandidate, StoreHealth, VectorStore } from "../../../ports/vector-store.js";
import { type Logger, silentLogger } from "../../../ports/logger.js";

export interface LanceDbVectorStoreSettings {
  /** Table holding every chunk of every tenant. Default "chunks". */
  tableName?: string;
  /** Row count from which an ANN (IVF-HNSW-SQ, cosine) index is built; below it search is exact brute force. Default 50_000. */
  annIndexMinRows?: number;
  /** With the ANN index: candidates proposed per result (× limit) before the exact re-rank; see CandidateQueryOptions. Default 8. */
  annRefineFactor?: number;
  /** Parts the vector index may have (each optimize indexes new rows as one more) before it is rebuilt whole. Default 8. */
  annMaxIndexParts?: number;
  /** Compact and re-index after this many write commits... Default 20. */
  optimizeEveryWrites?: number;
  /** ...or after this many written rows, whichever comes first. Default 10_000. */
  optimizeEveryRows?: number;
  /** ...or once no write came for this long (a burst ended) when neither count was reached. Default 1_500 ms. */
  optimizeAfterIdleMs?: number;
  /** Old table versions younger than this survive optimize (readers may still use them). Default 1 hour. */
  versionRetentionMs?: number;
  /** Per-query engine timeout; exceeded → UpstreamTimeoutError. Default 10_000 ms. */
  queryTimeoutMs?: number;
  logger?: Logger;
  /** Close the connection in close(); `open()` sets it since it made the connection. Default false. */
  closeConnection?: boolean;
}

export interface LanceDbVectorStoreOptions extends Omit<LanceDbVectorStoreSettings, "closeConnection"> {
  /** Directory of the LanceDB database (created when missing). */
  directory: string;
  /**
   * How stale a read may be when other processes write the same table: 0 checks for their commits
   * on every read (each query pays for it); unset never checks (this process is the only writer).
   */
  readConsistencyIntervalMs?: number;
}

/**
 * VectorStore on embedded LanceDB: one table of flat chunk rows (see lancedb-schema.ts), native
 * BM25 full-text index on `terms` (core's analysed terms of title + text, split on whitespace only), an
 * ANN index once the table is large, and the collection's model and dimension in the table's schema
 * metadata. A table made before the `terms` column is migrated in place by `ensureCollection`. Writes
 * run one at a time (a plain write lock), so each upsert call is one commit: coalescing concurrent
 * upserts and capping concurrent queries are wrappers applied by the composition root. One store
 * instance should own a directory per process.
 */
export class LanceDbVectorStore implements VectorStore {
  readonly kind = "lancedb";
  private readonly tableName: string;
  private readonly settings: Required<Omit<LanceDbVectorStoreSettings, "tableName" | "logger" | "closeConnection">>;
  private readonly logger: Logger;
  private readonly closeConnection: boolean;
  private readonly writes = new LanceDbWriteLock();
  private readonly maintenance: LanceDbMaintenance;
  private table: Table | null = null;
  private collection: CollectionSettings | null = null;
  /** Whether every row has its `terms` (false for a table made before the column until ensureCollection migrates it). */
  private termsReady = false;
  private opening: Promise<Table | null> | null = null;
  private collectionEnsured = false;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Opens (creating when missing) the database directory and returns a store that closes it on close(). */
  static async open(options: LanceDbVectorStoreOptions): Promise<LanceDbVectorStore> {
    const { directory, readConsistencyIntervalMs, ...settings } = options;
    const connection = await callEngine("connect", () =>
      connect(directory, readConsistencyIntervalMs === undefined ? {} : { readConsistencyInterval: readConsistencyIntervalMs / 1000 }),
    );
    return new LanceDbVectorStore(connection, { ...settings, closeConnection: true });
  }

  constructor(
    private readonly connection: Connection,
    settings: LanceDbVectorStoreSettings = {},
  ) {
    this.tableName = settings.tableName ?? "chunks";
    this.logger = settings.logger ?? silentLogger;
    this.settings = {
      annIndexMinRows: settings.annIndexMinRows ?? 50_000,
      annRefineFactor: settings.annRefineFactor ?? 8,
      annMaxIndexParts: settings.annMaxIndexParts ?? 8,
      optimizeEveryWrites: settings.optimizeEveryWrites ?? 20,
      optimizeEveryRows: settings.optimizeEveryRows ?? 10_000,
      optimizeAfterIdleMs: settings.optimizeAfterIdleMs ?? 1_500,
      versionRetentionMs: settings.versionRetentionMs ?? 60 * 60 * 1000,
      queryTimeoutMs: settings.queryTimeoutMs ?? 10_000,
    };
    this.closeConnection = settings.closeConnection ?? false;
    this.maintenance = new LanceDbMaintenance(this.writes, this.logger, this.settings);
  }

  ensureCollection(options: { dimension: number; model: string }): Promise<void> {
    return this.track(async () => {
      assertValidCollectionOptions(options);
      const requested: CollectionSettings = { model: options.model, dimension: options.dimension };
      await this.writes.run(async () => {
        let table = await this.openExistingTable();
        if (!table) {
          const created = createChunkSchema(requested);
          table = await callEngine("create table", () => this.connection.createEmptyTable(this.tableName, created, { mode: "create", existOk: true }));
          // existOk: another handle may have created it first, so what is stored is read back.
          const schema = await callEngine("read schema", () => table!.schema());
          this.collection = readCollectionSettings(schema);
          this.termsReady = hasCompleteTermsColumn(schema);
          this.table = table;
        }
        const existing = this.collection;
        if (!existing || existing.model !== requested.model || existing.dimension !== requested.dimension) {
          throw new ConflictError(
            `Collection "${this.tableName}" was built with model "${existing?.model ?? "unknown"}" (dimension ${existing?.dimension ?? "unknown"}); ` +
              `refusing model "${requested.model}" (dimension ${requested.dimension})`,
            { details: { existing, requested } },
          );
        }
        if (!this.termsReady) {
          const filled = await migrateTermsColumn(table, this.logger);
          this.termsReady = true;
          if (filled > 0) this.maintenance.noteWrite(table, filled);
        }
        await this.maintenance.ensureIndexes(table);
        this.collectionEnsured = true;
      });
    });
  }

  /** Validates the whole batch first, then writes it as one commit (replacing points with the same id). */
  upsert(points: ChunkPoint[]): Promise<void> {
    return this.track(async () => {
      if (points.length === 0) return;
      const table = await this.openExistingTable();
      if (!table || !this.collection) throw new Error("LanceDbVectorStore.upsert called before ensureCollection");
      if (!this.termsReady) {
        throw new Error(`LanceDbVectorStore.upsert: table "${this.tableName}" predates the ${TERMS_COLUMN} column; call ensureCollection to migrate it`);
      }
      assertValidPoints(points, this.collection);
      // Last write wins inside one call, as it would across calls (a merge refuses duplicate keys).
      const rows = [...new Map(points.map((point) => [point.id, chunkPointToRow(point)])).values()];
      await this.writes.run(async () => {
        await callEngine("upsert", () =>
          table
            .mergeInsert("id")
            .whenMatchedUpdateAll()
            .whenNotMatchedInsertAll()
            .execute(chunkRowsToArrowTable(rows, createChunkSchema(this.collection!))),
        );
        this.maintenance.noteWrite(table, rows.length);
      });
    });
  }

  deleteDocument(tenant: string, documentId: string, options: { fromChunkIndex?: number } = {}): Promise<void> {
    return this.track(async () => {
      const predicate = buildDocumentPredicate(tenant, documentId, options.fromChunkIndex);
      const table = await this.openExistingTable();
      if (!table) return;
      await this.writes.run(async () => {
        await callEngine("delete", () => table.delete(predicate));
        this.maintenance.noteWrite(table, 1);
      });
    });
  }

  /**
   * Dense and full-text candidates, queried in parallel. A failing full-text query does not fail the
   * call: it is logged and the lexical list is empty (dense-only).
   */
  candidates(request: CandidatesRequest): Promise<CandidateLists> {
    return this.track(async () => {
      assertValidCandidatesRequest(request);
      const predicate = buildSearchPredicate(request.tenant, request.filter);
      const table = await this.openExistingTable();
      if (!table || !this.collection) return { dense: [], lexical: [] };
      assertValidCandidatesRequest(request, this.collection.dimension);
      const options = { predicate, timeoutMs: this.settings.queryTimeoutMs, refineFactor: this.settings.annRefineFactor };
      const query = Float32Array.from(request.dense);
      const terms = scoringTerms(request.lexicalTerms);
      const [dense, lexical] = await Promise.all([
        searchDense(table, query, request.limit, options),
        terms.length > 0 && this.maintenance.hasFullTextIndex
          ? searchLexical(table, query, terms, request.limit, options).catch((error: unknown): LexicalCandidate[] => {
              this.logger.warn({ error: error instanceof Error ? error.message : String(error) }, "LanceDB full-text search failed; dense-only");
              return [];
            })
          : [],
      ]);
      return { dense, lexical };
    });
  }

  count(tenant: string, documentId?: string): Promise<number> {
    return this.track(async () => {
      const predicate = documentId === undefined ? buildSearchPredicate(tenant, undefined) : buildDocumentPredicate(tenant, documentId);
      const table = await this.openExistingTable();
      if (!table) return 0;
      return callEngine("count", () => table.countRows(predicate));
    });
  }

  async health(): Promise<StoreHealth> {
    if (this.closed) return { status: "down", detail: "store closed" };
    try {
      const table = await this.openExistingTable();
      if (!table) {
        return this.collectionEnsured
          ? { status: "down", detail: `table "${this.tableName}" is missing` }
          : { status: "up", detail: "collection not created yet" };
      }
      // A filtered count reads the manifest and data files, proving the table is queryable.
      await callEngine("health check", () => table.countRows(`tenant = ${sqlStringLiteral("__ragline_health__")}`));
      return { status: "up" };
    } catch (error) {
      return { status: "down", detail: error instanceof Error ? error.message : "LanceDB unreachable" };
    }
  }

  /** Runs compaction, index refresh (and the ANN build when due) now, after queued writes. */
  optimize(): Promise<void> {
    return this.track(async () => {
      const table = await this.openExistingTable();
      if (table) await this.maintenance.runNow(table);
    });
  }

  /** Waits for every call in flight and queued write to settle, then releases the table (and the connection when owned). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.maintenance.stop();
    await Promise.all(this.inFlight);
    await this.writes.idle();
    this.table?.close();
    this.table = null;
    if (this.closeConnection) this.connection.close();
  }

  /** The chunks table when it exists (opened once and cached), with its collection settings; else null. */
  private async openExistingTable(): Promise<Table | null> {
    if (this.table) return this.table;
    this.opening ??= (async () => {
      const names = await callEngine("list tables", () => this.connection.tableNames());
      if (!names.includes(this.tableName)) return null;
      const table = await callEngine("open table", () => this.connection.openTable(this.tableName));
      const schema = await callEngine("read schema", () => table.schema());
      this.collection = readCollectionSettings(schema);
      this.termsReady = hasCompleteTermsColumn(schema);
      await this.maintenance.loadIndexState(table);
      // ensureCollection may have created and opened the table meanwhile; its handle wins.
      if (this.table) return this.table;
      this.table = table;
      return table;
    })().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  /** Refuses calls after close() and registers the call so close() waits for it. */
  private track<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new UpstreamUnavailableError("LanceDB vector store is closed"));
    const running = operation();
    const settled: Promise<unknown> = running.then(
      () => this.inFlight.delete(settled),
      () => this.inFlight.delete(settled),
    );
    this.inFlight.add(settled);
    return running;
  }
}
