import { randomUUID } from "node:crypto";
import { AppError } from "../core/errors.js";
import type { DocumentRecord, UploadBatch, UploadBatchItem, UploadOutcome } from "../ports/document-repository.js";
import { silentLogger } from "../ports/logger.js";
import { submitDocument, type SubmitDocumentDeps, type UploadItem } from "./submit-document.js";

/** One item of an upload as its reader saw it: something to submit, or refused already (unreadable, invalid). */
export interface UploadEntry {
  /** 0-based position in the request. */
  position: number;
  /** File name, or the JSON item's source; null when it has none. */
  name: string | null;
  /** NDJSON: the 1-based line the item was on. */
  line?: number;
  item?: UploadItem;
  /** Why the reader refused it (then `item` is absent). */
  refused?: AppError;
}

export interface UploadItemResult {
  position: number;
  name: string | null;
  line?: number;
  outcome: UploadOutcome;
  /** The document as the item left it; null when refused. */
  record: DocumentRecord | null;
  /** Why it was refused; null otherwise. */
  error: AppError | null;
}

export interface SubmitUploadBatchDeps extends SubmitDocumentDeps {
  /** Items submitted at once (default 8); the reader is not pulled further meanwhile. */
  concurrency?: number;
  /** Called once per settled item (metrics). */
  onItem?: (outcome: UploadOutcome) => void;
}

export interface SubmittedBatch {
  batch: UploadBatch;
  /** Every item read, in request order. */
  results: UploadItemResult[];
  /** Why reading stopped early (body or item limit, unreadable body): the items before it are stored and listed. */
  interruption: AppError | null;
}

/** Items written to the batch per statement while a request streams in. */
const FLUSH_EVERY = 200;

/**
 * Submits every item of one upload request as one batch: each item is settled on its own
 * (`accepted`, `duplicate`, `updated`, or `refused` with the reason, e.g. an unsupported type or a
 * conflicting id), so accepted items are stored whatever happens to the others. Items are read from
 * `entries` as they are needed (NDJSON streams), a few submitted at once, and recorded in the batch
 * as they settle. An AppError thrown by the reader stops it: what was read is kept and it is
 * returned as `interruption`. Any other error (storage down) is thrown once in-flight items settle.
 */
export async function submitUploadBatch(
  deps: SubmitUploadBatchDeps,
  input: { tenant: string; kind: UploadBatch["kind"]; mode: "create" | "replace"; entries: AsyncIterable<UploadEntry> | Iterable<UploadEntry> },
): Promise<SubmittedBatch> {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const batch: UploadBatch = { tenant: input.tenant, id: `batch_${randomUUID()}`, kind: input.kind, createdAt: now(), receivedAt: null };
  await deps.documents.createBatch(batch);

  const results: UploadItemResult[] = [];
  const unwritten: UploadBatchItem[] = [];
  const inFlight = new Set<Promise<void>>();
  const concurrency = Math.max(1, deps.concurrency ?? 8);
  let failure: { error: unknown } | null = null;
  let interruption: AppError | null = null;

  const flush = async () => {
    if (unwritten.length > 0) await deps.documents.addBatchItems(input.tenant, batch.id, unwritten.splice(0));
  };
  const settle = (entry: UploadEntry) => {
    const task = settleEntry(deps, input, entry)
      .then((result) => {
        results[entry.position] = result;
        unwritten.push(batchItemOf(result));
        deps.onItem?.(result.outcome);
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };

  try {
    for await (const entry of input.entries) {
      settle(entry);
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (failure) break;
      if (unwritten.length >= FLUSH_EVERY) await flush();
    }
  } catch (error) {
    if (!(error instanceof AppError)) failure ??= { error };
    else interruption = error;
  }
  await Promise.all(inFlight);
  await flush();
  if (failure) {
    (deps.logger ?? silentLogger).error({ batchId: batch.id, error: String((failure as { error: unknown }).error) }, "upload batch stopped");
    throw (failure as { error: unknown }).error;
  }
  if (!interruption) await deps.documents.markBatchReceived(input.tenant, batch.id, now());
  return { batch, results: results.filter((result) => result !== undefined), interruption };
}

async function settleEntry(deps: SubmitDocumentDeps, input: { tenant: string; mode: "create" | "replace" }, entry: UploadEntry): Promise<UploadItemResult> {
  const base = { position: entry.position, name: entry.name, ...(entry.line === undefined ? {} : { line: entry.line }) };
  if (!entry.item) return { ...base, outcome: "refused", record: null, error: entry.refused ?? null };
  try {
    const submitted = await submitDocument(deps, { tenant: input.tenant, item: entry.item, mode: input.mode });
    return { ...base, outcome: submitted.outcome, record: submitted.record, error: null };
  } catch (error) {
    // Bad input (type, id conflict, unreadable bytes) refuses this item only; anything else is the service's failure.
    if (error instanceof AppError && !error.transient) return { ...base, outcome: "refused", record: null, error };
    throw error;
  }
}

function batchItemOf(result: UploadItemResult): UploadBatchItem {
  return {
    position: result.position,
    name: result.name,
    outcome: result.outcome,
    documentId: result.record?.id ?? null,
    jobId: result.record?.jobId ?? null,
    reason: result.outcome === "refused" ? refusalReason(result) : null,
  };
}

/** The refusal as one line: the error's message, prefixed with the NDJSON line when there is one. */
export function refusalReason(result: Pick<UploadItemResult, "error" | "line">): string {
  const message = result.error?.message ?? "refused";
  return result.line === undefined ? message : `line ${result.line}: ${message}`;
}
