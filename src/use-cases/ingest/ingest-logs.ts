import type { Logger } from "../../ports/logger.js";
import { isFinalFailure, type Work } from "./finish-batch.js";

/**
 * One line per document of a settled batch, naming the document and its file so people can find
 * it: `document indexed` (chunks), `document ingest failed` when no attempt follows, or
 * `document ingest attempt failed` when one does (both warnings, with the reason). A document a
 * newer revision or a delete took over is a debug line.
 */
export function logBatchOutcomes(logger: Logger, live: readonly Work[]): void {
  for (const work of live) {
    const { record, job } = work;
    const fields = { tenant: record.tenant, documentId: record.id, source: record.source, revision: record.revision, jobId: job.id, attempt: job.attempts };
    if (work.superseded) logger.debug(fields, "document superseded during ingest");
    else if (work.error === undefined) logger.info({ ...fields, chunks: work.points?.length ?? 0 }, "document indexed");
    else {
      const error = work.error instanceof Error ? work.error.message : String(work.error);
      logger.warn({ ...fields, maxAttempts: job.maxAttempts, error }, isFinalFailure(work) ? "document ingest failed" : "document ingest attempt failed");
    }
  }
}
