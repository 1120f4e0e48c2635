import { ConflictError } from "../core/errors.js";
import type { BlobStore, DocumentRecord, DocumentRepository } from "../ports/document-repository.js";
import type { JobQueue } from "../ports/job-queue.js";
import { silentLogger, type Logger } from "../ports/logger.js";
import type { IngestJobData } from "./ingest-job.js";
import { deriveDocumentId, ingestJobId, normalizedContent, sha256Hex } from "../core/documents.js";
import type { KeyedLock } from "../core/keyed-lock.js";
import { sniffMediaType } from "../core/text/sniff-media-type.js";

export interface UploadItem {
  bytes: Uint8Array;
  fileName: string | null;
  title: string | null;
  metadata: Record<string, unknown>;
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
}

export interface SubmittedDocument {
  record: DocumentRecord;
  /** True when the same content was already there: nothing was queued. */
  duplicate: boolean;
}

/**
 * Accepts one upload: sniffs its type (415 for anything unsupported), derives or checks its id,
 * stores the bytes, writes the record and enqueues the ingest job — parsing, chunking and embedding
 * happen off the request path. Same content again → the existing record, `duplicate: true`.
 * `mode: "create"` refuses to change an existing caller-id document (409, use replace);
 * `mode: "replace"` supersedes it with a new revision whose job removes stale chunks.
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
      // Its job was stored with the record; telling the queue again is idempotent and only speeds it up.
      if (existing.status !== "indexed") await notifyQueue(deps, existing);
      return { record: existing, duplicate: true };
    }
    if (existing && mode === "create" && existing.contentHash !== contentHash) {
      throw new ConflictError(`document ${id} already exists with other content; use PUT /v1/documents/${id} to replace it`);
    }
    const now = (deps.now ?? (() => new Date()))().toISOString();
    const revision = (existing?.revision ?? 0) + 1;
    const jobId = ingestJobId(tenant, id, revision);
    const blobKey = blobKeyFor(tenant, id, revision);
    await deps.blobs.put(blobKey, item.bytes);
    const record: DocumentRecord = {
      tenant,
      id,
      // Empty until indexed when none was given: ingest then takes the document's own title (HTML <title>, first H1, PDF Title), else the file name.
      title: item.title ?? existing?.title ?? "",
      source: item.fileName ?? existing?.source ?? "",
      mediaType,
      status: "queued",
      contentHash,
      byteSize: item.bytes.byteLength,
      // Keeps the indexed chunk count until the new revision is indexed, so the job knows what to prune.
      chunkCount: existing?.chunkCount ?? 0,
      metadata: item.metadata,
      revision,
      jobId,
      error: null,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      indexedAt: existing?.indexedAt ?? null,
    };
    // Record and job in one transaction: an acknowledged upload always has its job.
    await deps.documents.putWithJob(record, { id: jobId, data: jobDataFor(record) });
    // The record now names the new revision, so nothing needs the superseded bytes: a job still
    // running for that revision finds its blob gone and stops as superseded.
    if (existing) await deps.blobs.delete(blobKeyFor(tenant, id, existing.revision));
    await notifyQueue(deps, record);
    return { record, duplicate: false };
  });
}

/**
 * Tells the queue about a job already stored with its record (idempotent on the id). The upload is
 * durable once `putWithJob` returned, so a queue that cannot be reached (BullMQ's Redis down) must
 * not fail it: the embedded queue polls its table and server mode's outbox relay retries.
 */
async function notifyQueue(deps: SubmitDocumentDeps, record: DocumentRecord): Promise<void> {
  try {
    await deps.queue.enqueue(jobDataFor(record), { id: record.jobId });
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

function jobDataFor(record: DocumentRecord): IngestJobData {
  return { tenant: record.tenant, documentId: record.id, revision: record.revision, blobKey: blobKeyFor(record.tenant, record.id, record.revision) };
}
