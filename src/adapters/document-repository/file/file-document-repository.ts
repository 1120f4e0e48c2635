import { join } from "node:path";
import { ValidationError } from "../../../core/errors.js";
import { KeyedSerializer, fileNameForKey, readJsonDirectory, readJsonFile, removeFile, removeStaleTemporaryFiles, writeJsonAtomic } from "./atomic-file.js";
import type { DocumentRecord, DocumentRepository } from "../../../ports/document-repository.js";
import { LRUCache } from "lru-cache";

interface IndexEntry {
  id: string;
  createdAt: string;
}

/** Per tenant: id → createdAt, plus the entries in list order, rebuilt lazily after a change. */
interface TenantIndex {
  createdAtById: Map<string, string>;
  sorted: IndexEntry[] | null;
}

const STALE_TEMPORARY_FILE_MS = 60_000;

/**
 * `DocumentRepository` on the local file system (embedded mode): one JSON file per record at
 * `directory/{sha256(tenant)}/{sha256(id)}.json`, written atomically (temp file + rename).
 * Writes to one record are serialised, so concurrent `update`s never lose each other's fields.
 * `list` uses an in-memory index of (id, createdAt) per tenant, loaded on the tenant's first access,
 * and reads only the records of the requested page. One instance per directory (the index is not
 * shared between processes).
 */
const RECENT_RECORDS = 10_000;

function recordKey(tenant: string, id: string): string {
  return JSON.stringify([tenant, id]);
}

export class FileDocumentRepository implements DocumentRepository {
  private readonly directory: string;
  private readonly indexes = new Map<string, Promise<TenantIndex>>();
  private readonly recordWrites = new KeyedSerializer();
  // Write-through cache of recent records: this instance is the directory's only writer, and an
  // ingest reads each record several times.
  private readonly recent = new LRUCache<string, DocumentRecord>({ max: RECENT_RECORDS });

  constructor(options: { directory: string }) {
    this.directory = options.directory;
  }

  async get(tenant: string, id: string): Promise<DocumentRecord | null> {
    const cached = this.recent.get(recordKey(tenant, id));
    if (cached) return { ...cached };
    const value = await readJsonFile(this.recordPath(tenant, id));
    if (!isRecordOf(value, tenant, id)) return null;
    this.recent.set(recordKey(tenant, id), value);
    return { ...value };
  }

  /** Creates or replaces the record. */
  async put(record: DocumentRecord): Promise<void> {
    if (!record.tenant || !record.id) {
      throw new ValidationError("Document record needs a tenant and an id", [{ path: record.tenant ? "id" : "tenant", message: "Required" }]);
    }
    await this.withRecordLock(record.tenant, record.id, async (index) => {
      await writeJsonAtomic(this.recordPath(record.tenant, record.id), record);
      this.recent.set(recordKey(record.tenant, record.id), { ...record });
      setEntry(index, record.id, record.createdAt);
    });
  }

  /** Applies `patch` (undefined values ignored) and sets `updatedAt` to now unless the patch sets it. */
  async update(tenant: string, id: string, patch: Partial<Omit<DocumentRecord, "tenant" | "id">>): Promise<DocumentRecord | null> {
    return this.withRecordLock(tenant, id, async (index) => {
      const current = await this.get(tenant, id);
      if (current === null) return null;
      const changes = Object.fromEntries(Object.entries(patch).filter(([field, value]) => value !== undefined && field !== "tenant" && field !== "id"));
      const updated: DocumentRecord = { ...current, updatedAt: new Date().toISOString(), ...changes, tenant, id };
      await writeJsonAtomic(this.recordPath(tenant, id), updated);
      this.recent.set(recordKey(tenant, id), updated);
      setEntry(index, id, updated.createdAt);
      return { ...updated };
    });
  }

  async list(tenant: string, options: { limit: number; cursor?: string }): Promise<{ items: DocumentRecord[]; nextCursor: string | null }> {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new ValidationError("limit must be a positive integer", [{ path: "limit", message: "Expected a positive integer" }]);
    }
    const sorted = sortedEntries(await this.indexFor(tenant));
    let position = options.cursor === undefined ? 0 : firstPositionAfter(sorted, decodeCursor(options.cursor));
    const items: DocumentRecord[] = [];
    while (items.length < options.limit && position < sorted.length) {
      const batch = sorted.slice(position, position + options.limit - items.length);
      position += batch.length;
      // A record deleted since the index was read is skipped, the page is filled from the next entries.
      const records = await Promise.all(batch.map((entry) => this.get(tenant, entry.id)));
      for (const record of records) if (record !== null) items.push(record);
    }
    const lastExamined = sorted[position - 1];
    return { items, nextCursor: position < sorted.length && lastExamined ? encodeCursor(lastExamined) : null };
  }

  /** True when the record existed. */
  async delete(tenant: string, id: string): Promise<boolean> {
    return this.withRecordLock(tenant, id, async (index) => {
      this.recent.delete(recordKey(tenant, id));
      const existed = await removeFile(this.recordPath(tenant, id));
      if (index.createdAtById.delete(id)) index.sorted = null;
      return existed;
    });
  }

  private async withRecordLock<T>(tenant: string, id: string, operation: (index: TenantIndex) => Promise<T>): Promise<T> {
    // The index is loaded before any write, so a write can never be missed by a loading index.
    const index = await this.indexFor(tenant);
    return this.recordWrites.run(recordKey(tenant, id), () => operation(index));
  }

  private indexFor(tenant: string): Promise<TenantIndex> {
    let index = this.indexes.get(tenant);
    if (index === undefined) {
      index = this.loadIndex(tenant);
      // A failed load (e.g. EACCES) is retried on the next access instead of being cached.
      index.catch(() => this.indexes.delete(tenant));
      this.indexes.set(tenant, index);
    }
    return index;
  }

  private async loadIndex(tenant: string): Promise<TenantIndex> {
    const tenantDirectory = join(this.directory, fileNameForKey(tenant));
    await removeStaleTemporaryFiles(tenantDirectory, STALE_TEMPORARY_FILE_MS);
    const index: TenantIndex = { createdAtById: new Map(), sorted: null };
    for (const { value } of await readJsonDirectory(tenantDirectory)) {
      if (isRecordOf(value, tenant)) index.createdAtById.set(value.id, value.createdAt);
    }
    return index;
  }

  private recordPath(tenant: string, id: string): string {
    return join(this.directory, fileNameForKey(tenant), `${fileNameForKey(id)}.json`);
  }
}

function setEntry(index: TenantIndex, id: string, createdAt: string): void {
  if (index.createdAtById.get(id) === createdAt) return;
  index.createdAtById.set(id, createdAt);
  index.sorted = null;
}

function sortedEntries(index: TenantIndex): IndexEntry[] {
  index.sorted ??= [...index.createdAtById].map(([id, createdAt]) => ({ id, createdAt })).sort(compareListOrder);
  return index.sorted;
}

/** List order: createdAt descending, then id ascending. */
function compareListOrder(left: IndexEntry, right: IndexEntry): number {
  if (left.createdAt !== right.createdAt) return left.createdAt > right.createdAt ? -1 : 1;
  return left.id < right.id ? -1 : left.id > right.id ? 1 : 0;
}

function firstPositionAfter(sorted: IndexEntry[], cursor: IndexEntry): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareListOrder(sorted[middle]!, cursor) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function encodeCursor(entry: IndexEntry): string {
  return Buffer.from(JSON.stringify([entry.createdAt, entry.id]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): IndexEntry {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // Falls through to the validation error below.
  }
  throw new ValidationError("Invalid cursor", [{ path: "cursor", message: "Not a cursor returned by a previous page" }]);
}

function isRecordOf(value: unknown, tenant: string, id?: string): value is DocumentRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Partial<DocumentRecord>;
  return record.tenant === tenant && typeof record.id === "string" && (id === undefined || record.id === id) && typeof record.createdAt === "string";
}
