import type { Kysely, Selectable } from "kysely";
import { ValidationError } from "../../../core/errors.js";
import type {
  DocumentRecord,
  DocumentRecordChange,
  DocumentRepository,
  DocumentStatus,
  NewJob,
  UploadBatch,
  UploadBatchItem,
  UploadBatchSummary,
} from "../../../ports/document-repository.js";
import { selectDocuments, updateDocuments } from "./document-batch-statements.js";
import { insertJobRow } from "../../sql/job-rows.js";
import type { SqlState } from "../../sql/open-database.js";
import { reusableQuery } from "../../sql/reusable-query.js";
import { newestFirstPage } from "../../sql/list-cursor.js";
import type { DocumentsTable, SqlDatabase } from "../../sql/sql-schema.js";
import { DOCUMENT_COLUMNS, recordFromRow, rowFromRecord, rowPatch } from "./document-rows.js";
import { insertBatch, insertBatchItems, setBatchReceived, summarizeBatch } from "./sql-upload-batches.js";

const selectDocument = reusableQuery<{ tenant: string; id: string }, Selectable<DocumentsTable>>((db, param) =>
  db.selectFrom("documents").selectAll().where("tenant", "=", param("tenant")).where("id", "=", param("id")),
);

const upsertDocument = reusableQuery<{ [K in keyof DocumentsTable]: DocumentsTable[K] }, unknown>((db, param) => {
  const row = Object.fromEntries(DOCUMENT_COLUMNS.map((column) => [column, param(column)])) as unknown as DocumentsTable;
  const { tenant: _tenant, id: _id, ...columns } = row;
  return db
    .insertInto("documents")
    .values(row)
    .onConflict((conflict) => conflict.columns(["tenant", "id"]).doUpdateSet(columns));
});

const MAX_CACHED_UPDATES = 64;

/**
 * DocumentRepository on SQL (SQLite embedded, PostgreSQL in server mode), one code for both
 * dialects through Kysely. `putWithJob` writes the record and its ingest job row in one
 * transaction, so an acknowledged upload always has a job (the embedded queue's table, or server
 * mode's outbox relayed to BullMQ).
 */
export class SqlDocumentRepository implements DocumentRepository {
  private readonly db: Kysely<SqlDatabase>;
  /** One compiled UPDATE per set of patched columns (a handful: the use cases patch the same fields each time). */
  private readonly updates = new Map<string, ReturnType<typeof reusableQuery<Record<string, unknown>, Selectable<DocumentsTable>>>>();

  constructor(
    state: SqlState,
    private readonly options: { jobMaxAttempts: number },
  ) {
    this.db = state.db;
  }

  async get(tenant: string, id: string): Promise<DocumentRecord | null> {
    const [row] = (await selectDocument(this.db, { tenant, id })).rows;
    return row ? recordFromRow(row) : null;
  }

  getMany(keys: Array<{ tenant: string; id: string }>): Promise<Array<DocumentRecord | null>> {
    return selectDocuments(this.db, keys);
  }

  updateMany(changes: DocumentRecordChange[]): Promise<boolean[]> {
    return updateDocuments(this.db, changes, new Date().toISOString());
  }

  async put(record: DocumentRecord): Promise<void> {
    assertIdentified(record);
    await this.upsert(this.db, record);
  }

  async putWithJob(record: DocumentRecord, job: NewJob): Promise<{ jobCreated: boolean }> {
    assertIdentified(record);
    return this.db.transaction().execute(async (transaction) => {
      await this.upsert(transaction, record);
      const jobCreated = await insertJobRow(transaction, { id: job.id, data: job.data, maxAttempts: this.options.jobMaxAttempts, now: record.updatedAt });
      return { jobCreated };
    });
  }

  async putManyWithJobs(entries: Array<{ record: DocumentRecord; job: NewJob }>): Promise<Array<{ jobCreated: boolean }>> {
    if (entries.length === 0) return [];
    for (const { record } of entries) assertIdentified(record);
    return this.db.transaction().execute(async (transaction) => {
      const results: Array<{ jobCreated: boolean }> = [];
      for (const { record, job } of entries) {
        await this.upsert(transaction, record);
        const jobCreated = await insertJobRow(transaction, { id: job.id, data: job.data, maxAttempts: this.options.jobMaxAttempts, now: record.updatedAt });
        results.push({ jobCreated });
      }
      return results;
    });
  }

  async update(tenant: string, id: string, patch: Partial<Omit<DocumentRecord, "tenant" | "id">>): Promise<DocumentRecord | null> {
    const columns: Record<string, unknown> = { updated_at: new Date().toISOString(), ...rowPatch(patch) };
    const names = Object.keys(columns).sort();
    const key = names.join(",");
    let query = this.updates.get(key);
    if (!query) {
      query = reusableQuery<Record<string, unknown>, Selectable<DocumentsTable>>((db, param) =>
        db
          .updateTable("documents")
          .set(Object.fromEntries(names.map((name) => [name, param(`set_${name}`)])))
          .where("tenant", "=", param("tenant") as string)
          .where("id", "=", param("id") as string)
          .returningAll(),
      );
      if (this.updates.size >= MAX_CACHED_UPDATES) this.updates.clear();
      this.updates.set(key, query);
    }
    const parameters: Record<string, unknown> = { tenant, id };
    for (const name of names) parameters[`set_${name}`] = columns[name];
    const [row] = (await query(this.db, parameters)).rows;
    return row ? recordFromRow(row) : null;
  }

  async list(
    tenant: string,
    options: { limit: number; cursor?: string; status?: DocumentStatus },
  ): Promise<{ items: DocumentRecord[]; nextCursor: string | null }> {
    let query = this.db.selectFrom("documents").selectAll().where("tenant", "=", tenant);
    if (options.status !== undefined) query = query.where("status", "=", options.status);
    return newestFirstPage(query, options, recordFromRow);
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("documents").where("tenant", "=", tenant).where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async listByStatus(statuses: DocumentStatus[], limit: number): Promise<DocumentRecord[]> {
    if (statuses.length === 0) return [];
    const rows = await this.db
      .selectFrom("documents")
      .selectAll()
      .where("status", "in", statuses)
      .orderBy("updated_at", "asc")
      .orderBy("tenant")
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map(recordFromRow);
  }

  async createBatch(batch: UploadBatch): Promise<void> {
    await insertBatch(this.db, batch);
  }

  async addBatchItems(tenant: string, batchId: string, items: UploadBatchItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.transaction().execute((transaction) => insertBatchItems(transaction, tenant, batchId, items));
  }

  async markBatchReceived(tenant: string, batchId: string, receivedAt: string): Promise<void> {
    await setBatchReceived(this.db, tenant, batchId, receivedAt);
  }

  async getBatch(tenant: string, batchId: string, options: { failureLimit: number }): Promise<UploadBatchSummary | null> {
    return summarizeBatch(this.db, tenant, batchId, options);
  }

  private async upsert(db: Kysely<SqlDatabase>, record: DocumentRecord): Promise<void> {
    await upsertDocument(db, rowFromRecord(record));
  }
}

function assertIdentified(record: DocumentRecord): void {
  if (!record.tenant || !record.id) {
    throw new ValidationError("Document record needs a tenant and an id", [{ path: record.tenant ? "id" : "tenant", message: "Required" }]);
  }
}
