import type { DocumentRepository } from "../ports/document-repository.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { IngestJobData } from "./ingest-job.js";
import { blobKeyFor } from "./submit-document.js";
import { type Logger } from "../ports/logger.js";

const RECONCILE_BATCH = 1_000;

export interface ReconcileDocumentsDeps {
  documents: DocumentRepository;
  queue: JobQueue<IngestJobData>;
  logger?: Logger;
  now?: () => Date;
}

/**
 * Periodic repair for server mode, where records live in the database and jobs in another system:
 * a document left `queued`/`processing` whose job is missing from the queue (e.g. Redis lost it, or
 * its outbox row was relayed to a queue that was then emptied) is enqueued again under its job id; one
 * whose job failed (including a job failed for crashing its worker too often, which never reaches the
 * ingest handler) is marked `failed` with the job's reason. Live and completed jobs are left alone.
 * Records updated less than `stableForMs` ago are skipped: their outbox row may not be relayed yet.
 * Looks at the `RECONCILE_BATCH` least recently updated records per call.
 */
export async function reconcileDocuments(deps: ReconcileDocumentsDeps, options: { stableForMs?: number } = {}): Promise<{ requeued: number; failed: number }> {
  const now = (deps.now ?? (() => new Date()))();
  const cutoff = new Date(now.getTime() - (options.stableForMs ?? 0)).toISOString();
  const pending = await deps.documents.listByStatus(["queued", "processing"], RECONCILE_BATCH);
  let requeued = 0;
  let failed = 0;
  for (const record of pending) {
    // Least recently updated first: the rest are newer still.
    if (record.updatedAt > cutoff) break;
    const job = await deps.queue.get(record.jobId);
    if (!job) {
      const data: IngestJobData = {
        tenant: record.tenant,
        documentId: record.id,
        revision: record.revision,
        blobKey: blobKeyFor(record.tenant, record.id, record.revision),
      };
      if ((await deps.queue.enqueue(data, { id: record.jobId })).created) requeued += 1;
    } else if (job.state === "failed") {
      await deps.documents.update(record.tenant, record.id, { status: "failed", error: job.error ?? "ingest failed", updatedAt: now.toISOString() });
      failed += 1;
    }
  }
  if (requeued + failed > 0) deps.logger?.info({ requeued, failed }, "reconciled documents left in flight");
  return { requeued, failed };
}
