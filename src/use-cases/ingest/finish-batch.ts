import { isTransientError } from "../../core/errors.js";
import type { TextChunk } from "../../core/text/split-into-chunks.js";
import type { DocumentRecord, DocumentRecordChange, DocumentRepository } from "../../ports/document-repository.js";
import type { Job } from "../../ports/job-queue.js";
import type { ChunkPoint, VectorStore } from "../../ports/vector-store.js";
import type { IngestJobData } from "../ingest-job.js";

/** One live job of an ingest batch, as the phases fill it in. */
export interface Work {
  /** Position in the batch. */
  index: number;
  job: Job<IngestJobData>;
  /** The record as the batch started (it named this job). */
  record: DocumentRecord;
  chunks?: TextChunk[];
  title?: string;
  points?: ChunkPoint[];
  /** Why this document failed in this attempt. */
  error?: unknown;
  /** A newer revision or a delete took over: nothing left to do, nothing to record. */
  superseded?: boolean;
}

/**
 * Settles the batch's records in one transaction — `indexed`, or `failed` (permanent error, last
 * attempt) / `queued` (another attempt follows) with the reason — each only while the record still
 * names its job. A document deleted meanwhile loses the chunks this batch wrote for it. When the
 * records cannot be written, the documents that had succeeded fail with that error (to be retried).
 */
export async function finishBatch(
  deps: { documents: DocumentRepository; store: VectorStore; onIndexed?: (chunkCount: number) => void },
  live: Work[],
  now: string,
): Promise<void> {
  const settling = live.filter((work) => !work.superseded);
  let applied: boolean[];
  try {
    applied = await deps.documents.updateMany(settling.map((work) => (work.error === undefined ? indexed(work, now) : failed(work, now))));
  } catch (error) {
    for (const work of settling) if (work.error === undefined) work.error = error;
    return;
  }
  const lost: Work[] = [];
  settling.forEach((work, index) => {
    if (work.error !== undefined) return;
    if (applied[index]) deps.onIndexed?.(work.points?.length ?? 0);
    else lost.push(work);
  });
  if (lost.length === 0) return;
  // Not applied: superseded (the newer revision's job rewrites and prunes these chunks) or deleted.
  try {
    const records = await deps.documents.getMany(lost.map(({ record }) => ({ tenant: record.tenant, id: record.id })));
    await Promise.all(lost.filter((_, index) => records[index] === null).map(({ record }) => deps.store.deleteDocument(record.tenant, record.id)));
  } catch (error) {
    for (const work of lost) work.error = error;
  }
}

function indexed(work: Work, now: string): DocumentRecordChange {
  const { record, job } = work;
  const patch = { status: "indexed", chunkCount: work.points?.length ?? 0, title: work.title, error: null, updatedAt: now, indexedAt: now } as const;
  return { tenant: record.tenant, id: record.id, jobId: job.id, patch };
}

function failed(work: Work, now: string): DocumentRecordChange {
  const { record, job, error } = work;
  const final = isFinalFailure(work);
  const message = error instanceof Error ? error.message : String(error);
  const patch = final
    ? ({ status: "failed", error: message, updatedAt: now } as const)
    : ({ status: "queued", error: `attempt ${job.attempts} failed: ${message}`, updatedAt: now } as const);
  return { tenant: record.tenant, id: record.id, jobId: job.id, patch };
}

/** Whether this failed attempt is the document's last: a permanent error, or no attempt left. */
export function isFinalFailure(work: Work): boolean {
  return !isTransientError(work.error) || work.job.attempts >= work.job.maxAttempts;
}
