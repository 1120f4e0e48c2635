import { AppError } from "../core/errors.js";
import { deriveDocumentId, ingestJobId, normalizedContent, sha256Hex } from "../core/documents.js";
import { sniffMediaType } from "../core/text/sniff-media-type.js";
import type { DocumentRecord } from "../ports/document-repository.js";
import { blobKeyFor, jobDataFor, notifyQueue, type SubmitDocumentDeps, type SubmittedDocument, type UploadItem } from "./submit-document.js";

/** Blob writes in flight at once while a group is stored. */
const BLOB_WRITES_AT_ONCE = 32;

/** What `submitNewDocuments` made of one item: settled, refused (bad input), or left for `submitDocument` (its id exists or repeats). */
export type GroupItemOutcome = { kind: "submitted"; submitted: SubmittedDocument } | { kind: "refused"; error: AppError } | { kind: "individual" };

/**
 * Accepts a group of upload items as `submitDocument` would, for the common case of a bulk upload of
 * new documents: every item whose id names no stored document (and appears once in the group) is
 * stored as revision 1 — blobs first, then all records and their jobs in one transaction, then the
 * queue is told. Items whose id exists, or repeats within the group, are left to `submitDocument`
 * (`individual`), since they need its duplicate, update and conflict rules. The ids of the group are
 * held in `deps.locks` from the look-up until the records are written, as `submitDocument` holds one.
 */
export async function submitNewDocuments(
  deps: SubmitDocumentDeps,
  input: { tenant: string; items: UploadItem[]; mode: "create" | "replace" },
): Promise<GroupItemOutcome[]> {
  const { tenant } = input;
  const outcomes: GroupItemOutcome[] = input.items.map(() => ({ kind: "individual" }));
  const prepared: Array<{ index: number; item: UploadItem; id: string; mediaType: string; contentHash: string }> = [];
  const seen = new Map<string, number>();
  for (const [index, item] of input.items.entries()) {
    try {
      const mediaType = await sniffMediaType(item.bytes, item.fileName ?? undefined);
      const content = normalizedContent(item.bytes, mediaType);
      const id = item.externalId ?? deriveDocumentId(tenant, content);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      prepared.push({ index, item, id, mediaType, contentHash: sha256Hex(content) });
    } catch (error) {
      if (error instanceof AppError && !error.transient) outcomes[index] = { kind: "refused", error };
      else throw error;
    }
  }
  const once = prepared.filter((entry) => seen.get(entry.id) === 1);
  if (once.length === 0) return outcomes;

  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = once.map(
    (entry) =>
      new Promise<void>((acquired) => {
        void deps.locks.run(`${tenant}\u0000${entry.id}`, () => {
          acquired();
          return released;
        });
      }),
  );
  try {
    await Promise.all(held);
    const existing = await deps.documents.getMany(once.map((entry) => ({ tenant, id: entry.id })));
    const fresh = once.filter((_, position) => existing[position] === null);
    const now = (deps.now ?? (() => new Date()))().toISOString();
    const records = fresh.map((entry): DocumentRecord => ({
      tenant,
      id: entry.id,
      title: entry.item.title ?? "",
      source: entry.item.fileName ?? "",
      mediaType: entry.mediaType,
      status: "queued",
      contentHash: entry.contentHash,
      byteSize: entry.item.bytes.byteLength,
      chunkCount: 0,
      metadata: entry.item.metadata ?? {},
      revision: 1,
      jobId: ingestJobId(tenant, entry.id, 1),
      error: null,
      createdAt: now,
      updatedAt: now,
      indexedAt: null,
    }));
    const blobs = fresh.map((entry) => ({ key: blobKeyFor(tenant, entry.id, 1), bytes: entry.item.bytes }));
    if (deps.blobs.putMany) {
      // One call for the group: one transaction when the store keeps blobs in the database.
      await deps.blobs.putMany(blobs);
    } else {
      for (let start = 0; start < blobs.length; start += BLOB_WRITES_AT_ONCE) {
        await Promise.all(blobs.slice(start, start + BLOB_WRITES_AT_ONCE).map((blob) => deps.blobs.put(blob.key, blob.bytes)));
      }
    }
    await deps.documents.putManyWithJobs(records.map((record) => ({ record, job: { id: record.jobId, data: jobDataFor(record, deps.tracer) } })));
    fresh.forEach((entry, position) => {
      outcomes[entry.index] = { kind: "submitted", submitted: { record: records[position]!, outcome: "accepted", duplicate: false } };
    });
  } finally {
    release();
  }
  await notifyQueueOfMany(deps, outcomes);
  return outcomes;
}

/** Tells the queue of every stored job (idempotent); as in `submitDocument`, an unreachable queue does not fail the upload. */
async function notifyQueueOfMany(deps: SubmitDocumentDeps, outcomes: GroupItemOutcome[]): Promise<void> {
  await Promise.all(outcomes.map((outcome) => (outcome.kind === "submitted" ? notifyQueue(deps, outcome.submitted.record) : undefined)));
}
