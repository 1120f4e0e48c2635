import type { z } from "@hono/zod-openapi";
import { AppError, ValidationError, type ErrorCode } from "../../core/errors.js";
import type { UploadOutcome } from "../../ports/document-repository.js";
import { refusalReason, type SubmittedBatch, type UploadItemResult } from "../../use-cases/submit-upload-batch.js";
import type { acceptedDocumentSchema, acceptedDocumentsSchema } from "../document-schemas.js";

/** An upload answered with an error after some of its items were settled: the status of its cause, the batch in `details`. */
class UploadNotAcceptedError extends AppError {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(message: string, cause: AppError, details: Record<string, unknown>) {
    super(message, { details, cause });
    this.code = cause.code;
    this.status = cause.status;
  }
}

export function uploadItemJson(result: UploadItemResult): z.infer<typeof acceptedDocumentSchema> {
  const record = result.record;
  return {
    index: result.position,
    name: result.name,
    ...(result.line === undefined ? {} : { line: result.line }),
    status: result.outcome,
    id: record?.id ?? null,
    job_id: record?.jobId ?? null,
    document_status: record?.status ?? null,
    duplicate: result.outcome === "duplicate",
    status_url: record ? `/v1/documents/${encodeURIComponent(record.id)}` : null,
    reason: result.outcome === "refused" ? refusalReason(result) : null,
    error_code: result.error?.code ?? null,
  };
}

export function uploadResultJson(submitted: SubmittedBatch): z.infer<typeof acceptedDocumentsSchema> {
  const counts: Record<UploadOutcome, number> = { accepted: 0, duplicate: 0, updated: 0, refused: 0 };
  for (const result of submitted.results) counts[result.outcome] += 1;
  return {
    batch_id: submitted.batch.id,
    batch_url: `/v1/batches/${encodeURIComponent(submitted.batch.id)}`,
    counts,
    documents: submitted.results.map(uploadItemJson),
  };
}

/**
 * The status of a settled upload: 200 when every item was a duplicate (nothing queued), 202 when
 * something was accepted or updated (also when other items were refused). Throws instead when the
 * upload was cut short (body or item limit: the stored items are in `details`), or when every item
 * was refused: a single item's own error (415, 409, 400…), for several their common status, else 422.
 */
export function uploadStatus(submitted: SubmittedBatch): 200 | 202 {
  const body = uploadResultJson(submitted);
  const batch = { batch_id: body.batch_id, counts: body.counts, documents: body.documents };
  if (submitted.interruption) {
    const cause = submitted.interruption;
    const stored = `${submitted.results.length} item(s) before it were settled in batch ${submitted.batch.id}`;
    throw new UploadNotAcceptedError(`${cause.message}; ${stored}`, cause, { ...(cause.details as object | undefined), ...batch });
  }
  const refused = submitted.results.filter((result) => result.outcome === "refused");
  if (refused.length > 0 && refused.length === submitted.results.length) {
    const errors = refused.map((result) => result.error ?? new ValidationError("refused"));
    const [first] = errors;
    if (errors.length === 1 && first) throw new UploadNotAcceptedError(first.message, first, { ...(first.details as object | undefined), ...batch });
    const common = errors.every((error) => error.status === first?.status) && first ? first : null;
    const message = `every one of the ${errors.length} items was refused; see details.documents`;
    if (common) throw new UploadNotAcceptedError(message, common, batch);
    throw new UploadNotAcceptedError(message, new UnprocessableUploadError(message), batch);
  }
  return submitted.results.every((result) => result.outcome === "duplicate") ? 200 : 202;
}

class UnprocessableUploadError extends AppError {
  readonly code = "unprocessable_document";
  readonly status = 422;
}
