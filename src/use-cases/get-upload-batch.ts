import { NotFoundError } from "../core/errors.js";
import type { DocumentRepository, UploadBatchSummary } from "../ports/document-repository.js";

export interface UploadBatchProgress extends UploadBatchSummary {
  /** Items that were not refused. */
  tracked: number;
  /** Of those, the ones whose document is settled: indexed, failed, superseded by a later upload, or deleted. */
  settled: number;
  /** settled / tracked (1 when nothing is tracked). */
  progress: number;
  /** Every item was read and every tracked document is settled. */
  done: boolean;
}

/** Tenant's upload batch with its progress; NotFoundError when it has no such batch (another tenant's included). */
export async function getUploadBatch(
  deps: { documents: DocumentRepository },
  input: { tenant: string; batchId: string; failureLimit: number },
): Promise<UploadBatchProgress> {
  const summary = await deps.documents.getBatch(input.tenant, input.batchId, { failureLimit: input.failureLimit });
  if (!summary) throw new NotFoundError(`batch ${input.batchId} not found`);
  const states = summary.documents;
  const tracked = Object.values(states).reduce((sum, count) => sum + count, 0);
  const settled = states.indexed + states.failed + states.superseded + states.deleted;
  return {
    ...summary,
    tracked,
    settled,
    progress: tracked === 0 ? 1 : settled / tracked,
    done: summary.batch.receivedAt !== null && settled === tracked,
  };
}
