import type { Table } from "@lancedb/lancedb";
import { callEngine } from "./lancedb-errors.js";
import { chunkMetadataFromRow, PAYLOAD_COLUMNS, vectorFromRow, type ChunkRow } from "./lancedb-schema.js";
import { RowAddressIds } from "./lancedb-row-addresses.js";
import { TopK } from "./top-k.js";
import { VectorColumns, type PreparedQuery } from "./vector-columns.js";
import type { ChunkMetadata, SearchFilter } from "../../../ports/vector-store.js";

/** What the mirror keeps of a row besides its vector: everything a hit carries. Replaced, never mutated. */
export interface MirroredChunk {
  text: string;
  metadata: ChunkMetadata;
}

/** One tenant's rows: vectors by component (see VectorColumns), ids and payloads by slot. */
class TenantRows {
  readonly vectors: VectorColumns;
  ids: string[] = [];
  chunks: MirroredChunk[] = [];
  readonly slotById = new Map<string, number>();
  readonly idsByDocument = new Map<string, Set<string>>();

  constructor(dimension: number) {
    this.vectors = new VectorColumns(dimension);
  }

  get size(): number {
    return this.ids.length;
  }

  put(id: string, chunk: MirroredChunk, vector: ArrayLike<number>): void {
    let slot = this.slotById.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      if (slot >= this.vectors.slotCapacity) this.vectors.resize(Math.max(16, this.vectors.slotCapacity * 2), slot);
      this.ids.push(id);
      this.chunks.push(chunk);
      this.slotById.set(id, slot);
    } else {
      this.forgetDocument(id, this.chunks[slot]!.metadata.documentId);
      this.chunks[slot] = chunk;
    }
    let documentIds = this.idsByDocument.get(chunk.metadata.documentId);
    if (!documentIds) this.idsByDocument.set(chunk.metadata.documentId, (documentIds = new Set()));
    documentIds.add(id);
    this.vectors.set(slot, vector);
  }

  /** Removes a row by moving the last slot into its place. */
  remove(id: string): void {
    const slot = this.slotById.get(id);
    if (slot === undefined) return;
    this.forgetDocument(id, this.chunks[slot]!.metadata.documentId);
    this.slotById.delete(id);
    const last = this.ids.length - 1;
    if (slot !== last) {
      const lastId = this.ids[last]!;
      this.ids[slot] = lastId;
      this.chunks[slot] = this.chunks[last]!;
      this.vectors.move(last, slot);
      this.slotById.set(lastId, slot);
    }
    this.ids.pop();
    this.chunks.pop();
    const capacity = this.vectors.slotCapacity;
    if (this.ids.length * 4 < capacity && capacity > 16) this.vectors.resize(Math.max(16, this.ids.length * 2), this.ids.length);
  }

  /** Gives back the growth headroom beyond one eighth of the rows (after a bulk load). */
  trim(): void {
    const slots = Math.max(16, this.size + (this.size >> 3));
    if (slots < this.vectors.slotCapacity) this.vectors.resize(slots, this.size);
  }

  private forgetDocument(id: string, documentId: string): void {
    const documentIds = this.idsByDocument.get(documentId);
    documentIds?.delete(id);
    if (documentIds?.size === 0) this.idsByDocument.delete(documentId);
  }
}

/**
 * In-process copy of the chunks table for a store that is its table's only writer: per tenant, the
 * vectors in one contiguous Float32Array plus each row's text and metadata. It answers the dense side
 * of a search (exact cosine, brute force) and hydrates hits without reading LanceDB. The store applies
 * every write here after LanceDB committed it, in the writer's order, so the mirror never holds a row
 * that is not durable.
 */
export class LanceDbMemoryMirror {
  private readonly tenants = new Map<string, TenantRows>();
  /** Tenant of every id: the table's key is the id alone, so an upsert may move an id between tenants. */
  private readonly tenantById = new Map<string, string>();
  /** Id at each row address of the table, for full-text queries that read addresses only. */
  readonly addresses = new RowAddressIds();

  constructor(readonly dimension: number) {}

  /**
   * Streams the whole table into a new mirror; null when it holds more than `maxRows` rows (the caller
   * then searches LanceDB). Run it where no write can commit meanwhile (before the table is handed out,
   * or as a writer task).
   */
  static async load(table: Table, dimension: number, maxRows: number): Promise<LanceDbMemoryMirror | null> {
    if ((await callEngine("count", () => table.countRows())) > maxRows) return null;
    const mirror = new LanceDbMemoryMirror(dimension);
    await callEngine("load mirror", async () => {
      for await (const batch of table
        .query()
        .select([...PAYLOAD_COLUMNS, "vector"])
        .withRowId()) {
        const columns = Object.fromEntries([...PAYLOAD_COLUMNS, "vector"].map((name) => [name, batch.getChild(name)]));
        const ids: string[] = [];
        for (let index = 0; index < batch.numRows; index++) {
          const row: Record<string, unknown> = {};
          for (const name of PAYLOAD_COLUMNS) row[name] = columns[name]?.get(index);
          ids.push(String(row.id));
          mirror.put(
            String(row.tenant),
            String(row.id),
            { text: String(row.text), metadata: chunkMetadataFromRow(row) },
            vectorFromRow(columns.vector?.get(index)),
          );
        }
        mirror.addresses.learn(batch.getChild("_rowid")!.toArray() as BigUint64Array, ids);
        if (mirror.size > maxRows) return;
      }
    });
    if (mirror.size > maxRows) return null;
    for (const rows of mirror.tenants.values()) rows.trim();
    return mirror;
  }

  get size(): number {
    return this.tenantById.size;
  }

  /** Applies committed upserts (last one per id wins, as in the table). */
  upsert(rows: ChunkRow[]): void {
    for (const row of rows) {
      this.put(row.tenant, row.id, { text: row.text, metadata: chunkMetadataFromRow(row as unknown as Record<string, unknown>) }, row.vector);
    }
  }

  /** Applies a committed deleteDocument. */
  deleteDocument(tenant: string, documentId: string, fromChunkIndex?: number): void {
    const rows = this.tenants.get(tenant);
    const ids = rows?.idsByDocument.get(documentId);
    if (!rows || !ids) return;
    for (const id of [...ids]) {
      const chunk = rows.chunks[rows.slotById.get(id)!]!;
      if (fromChunkIndex !== undefined && chunk.metadata.chunkIndex < fromChunkIndex) continue;
      rows.remove(id);
      this.tenantById.delete(id);
    }
    if (rows.size === 0) this.tenants.delete(tenant);
  }

  /** The `limit` rows of `tenant` passing `filter` most similar to `query`, best first, with exact cosine similarities. */
  searchDense(tenant: string, filter: SearchFilter | undefined, query: PreparedQuery, limit: number): { ids: string[]; similarities: Float64Array } {
    const rows = this.tenants.get(tenant);
    const slots = rows ? this.matchingSlots(rows, filter) : null;
    const count = slots ? slots.length : (rows?.size ?? 0);
    if (!rows || count === 0 || limit < 1) return { ids: [], similarities: new Float64Array(0) };
    const scores = slots ? rows.vectors.similaritiesOf(query, slots) : rows.vectors.similarities(query, count);
    const heap = new TopK(Math.min(limit, count));
    for (let position = 0; position < count; position++) heap.offer(scores[position]!, slots ? slots[position]! : position);
    const best = heap.drainBestFirst();
    return { ids: Array.from(best.slots, (slot) => rows.ids[slot]!), similarities: best.scores };
  }

  /** Exact cosine similarity of a row of `tenant` to `query`; undefined when the row is not there. */
  similarity(tenant: string, id: string, query: PreparedQuery): number | undefined {
    const rows = this.tenants.get(tenant);
    const slot = rows?.slotById.get(id);
    return slot === undefined ? undefined : rows!.vectors.similarityAt(query, slot);
  }

  /** Whether every row of the table belongs to `tenant` (then a tenant predicate selects the whole table). */
  holdsOnlyTenant(tenant: string): boolean {
    return this.tenants.size === 1 && this.tenants.has(tenant);
  }

  /** Whether `tenant` has the row and it passes `filter`. */
  has(tenant: string, id: string, filter?: SearchFilter): boolean {
    return this.find(tenant, id, filter) !== undefined;
  }

  /** Text and metadata of a row of `tenant` that passes `filter` (a copy the caller may keep); undefined when absent. */
  chunk(tenant: string, id: string, filter?: SearchFilter): MirroredChunk | undefined {
    const chunk = this.find(tenant, id, filter);
    return chunk && { text: chunk.text, metadata: { ...chunk.metadata, headingPath: [...chunk.metadata.headingPath] } };
  }

  /** Approximate bytes held: vectors and norms exactly, strings at two bytes a character. */
  estimateBytes(): number {
    let bytes = 0;
    for (const rows of this.tenants.values()) {
      bytes += rows.vectors.byteLength;
      for (const chunk of rows.chunks) bytes += 2 * (chunk.text.length + chunk.metadata.title.length + chunk.metadata.source.length) + 200;
    }
    return bytes;
  }

  private find(tenant: string, id: string, filter: SearchFilter | undefined): MirroredChunk | undefined {
    const rows = this.tenants.get(tenant);
    const slot = rows?.slotById.get(id);
    if (slot === undefined) return undefined;
    const chunk = rows!.chunks[slot]!;
    if (filter?.documentIds && !filter.documentIds.includes(chunk.metadata.documentId)) return undefined;
    if (filter?.sources && !filter.sources.includes(chunk.metadata.source)) return undefined;
    return chunk;
  }

  private put(tenant: string, id: string, chunk: MirroredChunk, vector: ArrayLike<number>): void {
    const previousTenant = this.tenantById.get(id);
    if (previousTenant !== undefined && previousTenant !== tenant) {
      const previous = this.tenants.get(previousTenant)!;
      previous.remove(id);
      if (previous.size === 0) this.tenants.delete(previousTenant);
    }
    let rows = this.tenants.get(tenant);
    if (!rows) this.tenants.set(tenant, (rows = new TenantRows(this.dimension)));
    rows.put(id, chunk, vector);
    this.tenantById.set(id, tenant);
  }

  /** Slots passing the filter, or null for "every slot of the tenant". */
  private matchingSlots(rows: TenantRows, filter: SearchFilter | undefined): Int32Array | null {
    if (!filter?.documentIds && !filter?.sources) return null;
    const sources = filter.sources ? new Set(filter.sources) : null;
    const slots: number[] = [];
    const consider = (slot: number) => {
      if (!sources || sources.has(rows.chunks[slot]!.metadata.source)) slots.push(slot);
    };
    if (filter.documentIds) {
      for (const documentId of new Set(filter.documentIds)) {
        for (const id of rows.idsByDocument.get(documentId) ?? []) consider(rows.slotById.get(id)!);
      }
    } else {
      for (let slot = 0; slot < rows.size; slot++) consider(slot);
    }
    return Int32Array.from(slots);
  }
}
