import type { DocumentRepository } from "../ports/document-repository.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { IngestJobData } from "./ingest-job.js";
import { blobKeyFor } from "./submit-document.js";
import { type Logger } from "../ports/logger.js";

const RECONCILE_BATCH = 1_000;

/**
 * Start-up repair for shared deployments: a document left `queued`/`processing` whose job no longer
 * exists (e.g. a process died between writing the record and enqueueing) is enqueued again; one
 * whose job already failed is marked `failed` with the job's reason. Jobs that are still live are
 * left to the queue (BullMQ moves a dead worker's stalled job back to waiting by itself).
 */
export async function reconcileDocuments(deps: {
  documents: DocumentRepository;
  queue: JobQueue<IngestJobData>;
  logger?: Logger;
}): Promise<{ requeued: number; failed: number }> {
  if (!deps.documents.listByStatus) return { requeued: 0, failed: 0 };
  const pending = await deps.documents.listByStatus(["queued", "processing"], RECONCILE_BATCH);
  let requeued = 0;
  let failed = 0;
  for (const record of pending) {
    const job = await deps.queue.get(record.jobId);
    if (!job) {
      await deps.queue.enqueue(
        { tenant: record.tenant, documentId: record.id, revision: record.revision, blobKey: blobKeyFor(record.tenant, record.id, record.revision) },
        { id: record.jobId },
      );
      requeued += 1;
    } else if (job.state === "failed") {
      await deps.documents.update(record.tenant, record.id, { status: "failed", error: job.error ?? "ingest failed", updatedAt: new Date().toISOString() });
      failed += 1;
    }
  }
  if (requeued + failed > 0) deps.logger?.info({ requeued, failed }, "reconciled documents left in flight");
  return { requeued, failed };
}
