import { ConflictError } from "../core/errors.js";
import type { BlobStore, DocumentRecord, DocumentRepository } from "../ports/document-repository.js";
import type { JobQueue } from "../ports/job-queue.js";
import { silentLogger, type Logger } from "../ports/logger.js";
import type { IngestJobData } from "./ingest-job.js";
import { deriveDocumentId, ingestJobId, normalizedContent, sha256Hex } from "../core/documents.js";
import type { KeyedLock } from "../core/keyed-lock.js";
import { sniffMediaType } from "../core/text/sniff-media-type.js";
import type { Tracer } from "../ports/tracer.js";

export interface UploadItem {
  bytes: Uint8Array;
  fileName: string | null;
  title: string | null;
  /** Null when the upload gave none (an identical re-upload then keeps the stored metadata). */
  metadata: Record<string, unknown> | null;
  /** Caller-chosen id; when absent the id is derived from tenant and content. */
  externalId: string | null;
}

export interface SubmitDocumentDeps {
  documents: DocumentRepository;
  blobs: BlobStore;
  queue: JobQueue<IngestJobData>;
  locks: KeyedLock;
  now?: () => Date;
  logger?: Logger;
  /** When tracing, each job carries the upload's trace (its ingest batch links to it). */
  tracer?: Tracer;
}

/** `accepted`: a new document or new content, queued; `duplicate`: nothing changed; `updated`: same content, new title, source or metadata. */
export type SubmitOutcome = "accepted" | "duplicate" | "updated";

export interface SubmittedDocument {
  record: DocumentRecord;
  outcome: SubmitOutcome;
  /** True when nothing changed: the same content, title and metadata were already there. */
  duplicate: boolean;
}

/**
 * Accepts one upload: sniffs its type (415 for anything unsupported), derives or checks its id,
 * stores the bytes, writes the record and enqueues the ingest job — parsing, chunking and embedding
 * happen off the request path.
 * - Same content again: `duplicate`, unless it brings a new title or metadata (or, replacing, a new
 *   file name): then `updated`. A new title or source is written into every chunk, so it runs a new
 *   revision of the same content (its embeddings come from the cache); metadata alone only changes
 *   the record.
 * - `mode: "create"` refuses to change an existing caller-id document's content (409, use replace);
 *   `mode: "replace"` supersedes it with a new revision whose job removes stale chunks. A replacement
 *   without a title is titled anew at ingest (the document's own title, else the new file name).
 * Blobs: only the current revision's bytes are kept (for its job and retries); the superseded
 * revision's blob is deleted as soon as the new record is written.
 */
export async function submitDocument(
  deps: SubmitDocumentDeps,
  input: { tenant: string; item: UploadItem; mode: "create" | "replace" },
): Promise<SubmittedDocument> {
  const { tenant, item, mode } = input;
  const mediaType = await sniffMediaType(item.bytes, item.fileName ?? undefined);
  const content = normalizedContent(item.bytes, mediaType);
  const contentHash = sha256Hex(content);
  const id = item.externalId ?? deriveDocumentId(tenant, content);

  return deps.locks.run(`${tenant}\u0000${id}`, async () => {
    const existing = await deps.documents.get(tenant, id);
    if (existing && existing.contentHash === contentHash && existing.status !== "failed") {
      const wanted = sameContentDetails(existing, item, mode);
      if (wanted.title === existing.title && wanted.source === existing.source) {
        if (sameJson(wanted.metadata, existing.metadata)) {
          // Its job was stored with the record; telling the queue again is idempotent and only speeds it up.
          if (existing.status !== "indexed") await notifyQueue(deps, existing);
          return { record: existing, outcome: "duplicate", duplicate: true };
        }
        // Chunks do not carry the metadata: the record alone changes, the index stays as it is.
        const updated = await deps.documents.update(tenant, id, { metadata: wanted.metadata, updatedAt: nowIso(deps) });
        return { record: updated ?? { ...existing, metadata: wanted.metadata }, outcome: "updated", duplicate: false };
      }
      const record = await storeRevision(deps, existing, { ...wanted, bytes: item.bytes });
      return { record, outcome: "updated", duplicate: false };
    }
    if (existing && mode === "create" && existing.contentHash !== contentHash) {
      throw new ConflictError(`document ${id} already exists with other content; use PUT /v1/documents/${id} to replace it`);
    }
    const now = nowIso(deps);
    const base: DocumentRecord = existing ?? {
      tenant,
      id,
      title: "",
      source: "",
      mediaType,
      status: "queued",
      contentHash,
      byteSize: 0,
      chunkCount: 0,
      metadata: {},
      revision: 0,
      jobId: "",
      error: null,
      createdAt: now,
      updatedAt: now,
      indexedAt: null,
    };
    const record = await storeRevision(deps, base, {
      // Empty until indexed when none was given: ingest then takes the document's own title (HTML <title>, first H1, PDF Title), else the file name.
      // A replacement is titled anew; re-uploading a failed document keeps its title.
      title: item.title ?? (mode === "replace" ? "" : (existing?.title ?? "")),
      source: item.fileName ?? existing?.source ?? "",
      metadata: item.metadata ?? (mode === "replace" || !existing ? {} : existing.metadata),
      bytes: item.bytes,
      mediaType,
      contentHash,
    });
    return { record, outcome: "accepted", duplicate: false };
  });
}

/** The title, source and metadata an identical upload asks for: what it gives, else what is stored (a replacement's new file name retitles it). */
function sameContentDetails(existing: DocumentRecord, item: UploadItem, mode: "create" | "replace") {
  const renamed = mode === "replace" && item.fileName !== null && item.fileName !== existing.source;
  return {
    title: item.title ?? (renamed ? "" : existing.title),
    source: mode === "replace" ? (item.fileName ?? existing.source) : existing.source,
    metadata: item.metadata ?? existing.metadata,
  };
}

/**
 * Writes the next revision of `previous` (a fresh record when its revision is 0) with these bytes
 * and details: blob first, then record and job in one transaction, then the superseded blob goes.
 */
export async function storeRevision(
  deps: SubmitDocumentDeps,
  previous: DocumentRecord,
  next: { title: string; source: string; metadata: Record<string, unknown>; bytes: Uint8Array; mediaType?: string; contentHash?: string },
): Promise<DocumentRecord> {
  const { tenant, id } = previous;
  const now = nowIso(deps);
  const revision = previous.revision + 1;
  const jobId = ingestJobId(tenant, id, revision);
  await deps.blobs.put(blobKeyFor(tenant, id, revision), next.bytes);
  const record: DocumentRecord = {
    ...previous,
    title: next.title,
    source: next.source,
    metadata: next.metadata,
    mediaType: next.mediaType ?? previous.mediaType,
    contentHash: next.contentHash ?? previous.contentHash,
    byteSize: next.bytes.byteLength,
    status: "queued",
    // Keeps the indexed chunk count until the new revision is indexed, so the job knows what to prune.
    revision,
    jobId,
    error: null,
    updatedAt: now,
  };
  // Record and job in one transaction: an acknowledged upload always has its job.
  await deps.documents.putWithJob(record, { id: jobId, data: jobDataFor(record, deps.tracer) });
  // The record now names the new revision, so nothing needs the superseded bytes: a job still
  // running for that revision finds its blob gone and stops as superseded.
  if (previous.revision > 0) await deps.blobs.delete(blobKeyFor(tenant, id, previous.revision));
  await notifyQueue(deps, record);
  return record;
}

function nowIso(deps: SubmitDocumentDeps): string {
  return (deps.now ?? (() => new Date()))().toISOString();
}

/** Whether two JSON values are equal, object keys in any order. */
export function sameJson(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left);
  const rightKeys = Object.keys(right);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every((key) => Object.hasOwn(right, key) && sameJson((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]));
}

/**
 * Tells the queue about a job already stored with its record (idempotent on the id). The upload is
 * durable once `putWithJob` returned, so a queue that cannot be reached (BullMQ's Redis down) must
 * not fail it: the embedded queue polls its table and server mode's outbox relay retries.
 */
export async function notifyQueue(deps: SubmitDocumentDeps, record: DocumentRecord): Promise<void> {
  try {
    await deps.queue.enqueue(jobDataFor(record, deps.tracer), { id: record.jobId });
  } catch (error) {
    (deps.logger ?? silentLogger).warn(
      { documentId: record.id, jobId: record.jobId, error: error instanceof Error ? error.message : String(error) },
      "queue not reached after the upload was stored; its job is picked up from the stored row",
    );
  }
}

/** Where the bytes of one revision of a document are kept. */
export function blobKeyFor(tenant: string, documentId: string, revision: number): string {
  return `${tenant}/${documentId}/${revision}`;
}

/** The ingest job of a record's revision; with a current span (a traced upload), its `traceparent` too. */
export function jobDataFor(record: DocumentRecord, tracer?: Tracer): IngestJobData {
  const data = { tenant: record.tenant, documentId: record.id, revision: record.revision, blobKey: blobKeyFor(record.tenant, record.id, record.revision) };
  const traceparent = tracer?.current()?.traceparent;
  return traceparent ? { ...data, traceparent } : data;
}
