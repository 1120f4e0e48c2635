import { connect, type Connection, type Table } from "@lancedb/lancedb";
import { ConflictError, UpstreamUnavailableError, ValidationError } from "../../../core/errors.js";
import { DEFAULT_RECIPROCAL_RANK_FUSION_K } from "../../../core/ranking/reciprocal-rank-fusion.js";
import { searchDense } from "./lancedb-candidates.js";
import { callEngine } from "./lancedb-errors.js";
import { buildDocumentPredicate, buildSearchPredicate, sqlStringLiteral } from "./lancedb-filter.js";
import { runHybridSearch } from "./lancedb-hybrid-search.js";
import { LanceDbMaintenance } from "./lancedb-maintenance.js";
import { LanceDbMirrorSlot } from "./lancedb-mirror-slot.js";
import { runMirrorSearch } from "./lancedb-mirror-search.js";
import { LanceDbSearchGate } from "./lancedb-search-gate.js";
import { chunkPointToRow, createChunkSchema, readCollectionSettings, type ChunkRow, type CollectionSettings } from "./lancedb-schema.js";
import { assertValidPoints, assertValidSearchRequest } from "./lancedb-validation.js";
import { GroupCommitWriteQueue } from "./lancedb-write-queue.js";
import type { ChunkPoint, SearchRequest, SearchResult, StoreHealth, VectorStore } from "../../../ports/vector-store.js";
import { type Logger, silentLogger } from "../../../ports/logger.js";

export interface LanceDbVectorStoreSettings {
  /** Table holding every chunk of every tenant. Default "chunks". */
  tableName?: string;
  /** Row count from which an ANN (IVF-HNSW-SQ, cosine) index is built; below it search is exact brute force. Default 50_000. */
  annIndexMinRows?: number;
  /** Compact and re-index after this many write commits... Default 20. */
  optimizeEveryWrites?: number;
  /** ...or after this many written rows, whichever comes first. Default 10_000. */
  optimizeEveryRows?: number;
  /** ...or once no write came for this long (a burst ended) when neither count was reached. Default 1_500 ms. */
  optimizeAfterIdleMs?: number;
  /** Old table versions younger than this survive optimize (readers may still use them). Default 1 hour. */
  versionRetentionMs?: number;
  /** Upper bound of rows coalesced into one commit. Default 5_000. */
  maxRowsPerCommit?: number;
  /** Per-query engine timeout; exceeded → UpstreamTimeoutError. Default 10_000 ms. */
  queryTimeoutMs?: number;
  /** Searches run in the engine at once; more wait their turn (the engine shares this process's CPUs). Default 4. */
  maxConcurrentSearches?: number;
  /** Reciprocal-rank-fusion constant. Default 60. */
  rrfK?: number;
  /**
   * Largest table kept in an in-process mirror (vectors, text, metadata) that serves the dense side and
   * hydration of searches; larger tables are searched in LanceDB only. 0 disables the mirror. Only valid
   * when this store is the table's only writer (`open()` forces 0 when readConsistencyIntervalMs is set).
   * Memory is about rows × (4 × dimension + text and metadata) bytes. Default 200_000.
   */
  memoryMirrorMaxRows?: number;
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
   * Setting it also disables the memory mirror, which only sees this store's own writes.
   */
  readConsistencyIntervalMs?: number;
}

/**
 * VectorStore on embedded LanceDB: one table of flat chunk rows (see lancedb-schema.ts), native
 * BM25 full-text index on `text`, an ANN index once the table is large, and the collection's model
 * and dimension in the table's schema metadata. All writes go through one group-committing writer,
 * so concurrent upserts share commits; one store instance should own a directory per process.
 */
export class LanceDbVectorStore implements VectorStore {
  readonly kind = "lancedb";
  private readonly tableName: string;
  private readonly settings: Required<Omit<LanceDbVectorStoreSettings, "tableName" | "logger" | "closeConnection">>;
  private readonly logger: Logger;
  private readonly closeConnection: boolean;
  private readonly writer: GroupCommitWriteQueue<ChunkRow>;
  private readonly maintenance: LanceDbMaintenance;
  private readonly searchGate: LanceDbSearchGate;
  private table: Table | null = null;
  private collection: CollectionSettings | null = null;
  /** In-process copy of the table while it is small and this store its only writer (`mirrors.current`; null → search LanceDB). */
  private readonly mirrors: LanceDbMirrorSlot;
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
    const memoryMirrorMaxRows = readConsistencyIntervalMs === undefined ? settings.memoryMirrorMaxRows : 0;
    return new LanceDbVectorStore(connection, { ...settings, memoryMirrorMaxRows, closeConnection: true });
  }

  constructor(
    private readonly connection: Connection,
    settings: LanceDbVectorStoreSettings = {},
  ) {
    this.tableName = settings.tableName ?? "chunks";
    this.logger = settings.logger ?? silentLogger;
    this.settings = {
      annIndexMinRows: settings.annIndexMinRows ?? 50_000,
      optimizeEveryWrites: settings.optimizeEveryWrites ?? 20,
      optimizeEveryRows: settings.optimizeEveryRows ?? 10_000,
      optimizeAfterIdleMs: settings.optimizeAfterIdleMs ?? 1_500,
      versionRetentionMs: settings.versionRetentionMs ?? 60 * 60 * 1000,
      maxRowsPerCommit: settings.maxRowsPerCommit ?? 5_000,
      queryTimeoutMs: settings.queryTimeoutMs ?? 10_000,
      maxConcurrentSearches: settings.maxConcurrentSearches ?? 4,
      rrfK: settings.rrfK ?? DEFAULT_RECIPROCAL_RANK_FUSION_K,
      memoryMirrorMaxRows: settings.memoryMirrorMaxRows ?? 200_000,
    };
    this.closeConnection = settings.closeConnection ?? false;
    this.writer = new GroupCommitWriteQueue<ChunkRow>({
      commitUpserts: (rows) => this.commitUpserts(rows),
      keyOf: (row) => row.id,
      maxRowsPerCommit: this.settings.maxRowsPerCommit,
    });
    this.mirrors = new LanceDbMirrorSlot({
      maxRows: this.settings.memoryMirrorMaxRows,
      logger: this.logger,
      writer: this.writer,
      dimension: () => this.collection?.dimension ?? null,
      isClosed: () => this.closed,
    });
    this.maintenance = new LanceDbMaintenance(this.writer, this.logger, this.settings, (table) => this.mirrors.relearnRowAddresses(table));
    this.searchGate = new LanceDbSearchGate(this.settings.maxConcurrentSearches);
  }

  ensureCollection(options: { dimension: number; model: string }): Promise<void> {
    return this.track(async () => {
      if (!Number.isSafeInteger(options.dimension) || options.dimension <= 0 || options.dimension > 65_536) {
        throw new ValidationError("Invalid embedding dimension", [{ path: "dimension", message: "must be an integer in 1..65536" }]);
      }
      if (typeof options.model !== "string" || options.model.trim() === "") {
        throw new ValidationError("Invalid embedding model", [{ path: "model", message: "must be a non-empty string" }]);
      }
      const requested: CollectionSettings = { model: options.model, dimension: options.dimension };
      await this.writer.run(async () => {
        let table = await this.openExistingTable();
        if (!table) {
          const schema = createChunkSchema(requested);
          table = await callEngine("create table", () => this.connection.createEmptyTable(this.tableName, schema, { mode: "create", existOk: true }));
          this.collection = readCollectionSettings(await callEngine("read schema", () => table!.schema()));
          this.table = table;
          this.mirrors.current = await this.mirrors.load(table);
        }
        const existing = this.collection;
        if (!existing || existing.model !== requested.model || existing.dimension !== requested.dimension) {
          throw new ConflictError(
            `Collection "${this.tableName}" was built with model "${existing?.model ?? "unknown"}" (dimension ${existing?.dimension ?? "unknown"}); ` +
              `refusing model "${requested.model}" (dimension ${requested.dimension})`,
            { details: { existing, requested } },
          );
        }
        await this.maintenance.ensureIndexes(table);
        this.collectionEnsured = true;
      });
    });
  }

  upsert(points: ChunkPoint[]): Promise<void> {
    return this.track(async () => {
      if (points.length === 0) return;
      const table = await this.openExistingTable();
      if (!table || !this.collection) throw new Error("LanceDbVectorStore.upsert called before ensureCollection");
      assertValidPoints(points, this.collection);
      await this.writer.upsert(points.map(chunkPointToRow));
    });
  }

  deleteDocument(tenant: string, documentId: string, options: { fromChunkIndex?: number } = {}): Promise<void> {
    return this.track(async () => {
      const predicate = buildDocumentPredicate(tenant, documentId, options.fromChunkIndex);
      const table = await this.openExistingTable();
      if (!table) return;
      await this.writer.run(async () => {
        await this.mirrors.write(table, () => callEngine("delete", () => table.delete(predicate)));
        this.mirrors.current?.deleteDocument(tenant, documentId, options.fromChunkIndex);
        this.maintenance.noteWrite(table, 1);
      });
    });
  }

  search(request: SearchRequest): Promise<SearchResult> {
    return this.track(async () => {
      assertValidSearchRequest(request);
      const predicate = buildSearchPredicate(request.tenant, request.filter);
      const table = await this.openExistingTable();
      if (!table || !this.collection) return { hits: [], cut: [] };
      if (request.dense.length !== this.collection.dimension) {
        throw new ValidationError("Query vector has the wrong dimension", [
          { path: "dense", message: `expected ${this.collection.dimension} numbers, got ${request.dense.length}` },
        ]);
      }
      const candidateOptions = {
        predicate,
        timeoutMs: this.settings.queryTimeoutMs,
        onLexicalFailure: (error: unknown) =>
          this.logger.warn({ error: error instanceof Error ? error.message : String(error) }, "LanceDB full-text search failed; dense-only"),
      };
      const searchOptions = { ...candidateOptions, hasFullTextIndex: this.maintenance.hasFullTextIndex, rrfK: this.settings.rrfK };
      const mirror = this.mirrors.current;
      if (!mirror) return this.searchGate.run(() => runHybridSearch(table, request, searchOptions));
      return runMirrorSearch(table, mirror, request, {
        ...searchOptions,
        runEngineQuery: (query) => this.searchGate.run(query),
        engineDense: this.maintenance.hasVectorIndex ? (query) => searchDense(table, query, request.candidateK, candidateOptions) : undefined,
      });
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

  /** Waits for every queued write to commit, then releases the table (and the connection when owned). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.maintenance.stop();
    await Promise.all(this.inFlight);
    await this.writer.flush();
    this.table?.close();
    this.table = null;
    this.mirrors.current = null;
    if (this.closeConnection) this.connection.close();
  }

  private async commitUpserts(rows: ChunkRow[]): Promise<void> {
    const table = this.table;
    if (!table) throw new UpstreamUnavailableError("LanceDB table is not open");
    await this.mirrors.write(table, () =>
      callEngine("upsert", () =>
        table
          .mergeInsert("id")
          .whenMatchedUpdateAll()
          .whenNotMatchedInsertAll()
          .execute(rows as unknown as Array<Record<string, unknown>>),
      ),
    );
    this.mirrors.applyUpserts(rows);
    this.maintenance.noteWrite(table, rows.length);
  }

  /** The chunks table when it exists (opened once and cached), with its collection settings; else null. */
  private async openExistingTable(): Promise<Table | null> {
    if (this.table) return this.table;
    this.opening ??= (async () => {
      const names = await callEngine("list tables", () => this.connection.tableNames());
      if (!names.includes(this.tableName)) return null;
      const table = await callEngine("open table", () => this.connection.openTable(this.tableName));
      this.collection = readCollectionSettings(await callEngine("read schema", () => table.schema()));
      await this.maintenance.loadIndexState(table);
      // ensureCollection may have created and opened the table meanwhile; its handle and mirror win.
      if (this.table) return this.table;
      // No write can commit before this.table is set, so the mirror loads a quiet table.
      const mirror = await this.mirrors.load(table);
      if (this.table) return this.table;
      this.mirrors.current = mirror;
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
