import { randomUUID } from "node:crypto";
import { AppError } from "../core/errors.js";
import type { DocumentRecord, UploadBatch, UploadBatchItem, UploadOutcome } from "../ports/document-repository.js";
import { silentLogger } from "../ports/logger.js";
import { submitDocument, type SubmitDocumentDeps, type UploadItem } from "./submit-document.js";
import { submitNewDocuments, type GroupItemOutcome } from "./submit-new-documents.js";

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

/** Items settled together (new documents of a group share one transaction) and written to the batch per statement. */
const GROUP_SIZE = 1_000;

/**
 * Submits every item of one upload request as one batch: each item is settled on its own
 * (`accepted`, `duplicate`, `updated`, or `refused` with the reason, e.g. an unsupported type or a
 * conflicting id), so accepted items are stored whatever happens to the others. Items are read from
 * `entries` as they are needed (NDJSON streams) in groups of GROUP_SIZE: a group's new documents are
 * stored together (`submitNewDocuments`), its other items submitted one by one, a few at once; each
 * group is recorded in the batch once it has settled. An AppError thrown by the reader stops it: what was read is kept and it is
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
  const record = (result: UploadItemResult) => {
    results[result.position] = result;
    unwritten.push(batchItemOf(result));
    deps.onItem?.(result.outcome);
  };
  const settle = (entry: UploadEntry) => {
    const task = settleEntry(deps, input, entry)
      .then(record)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  /** New documents of the group in one go (one transaction); the rest one by one, a few at once. */
  const settleGroup = async (group: UploadEntry[]) => {
    const submittable = group.filter((entry) => entry.item !== undefined);
    let outcomes: GroupItemOutcome[];
    try {
      outcomes = await submitNewDocuments(deps, { tenant: input.tenant, mode: input.mode, items: submittable.map((entry) => entry.item!) });
    } catch (error) {
      failure ??= { error };
      return;
    }
    const byEntry = new Map(submittable.map((entry, index) => [entry, outcomes[index]!]));
    for (const entry of group) {
      const outcome = byEntry.get(entry);
      const base = { position: entry.position, name: entry.name, ...(entry.line === undefined ? {} : { line: entry.line }) };
      if (outcome?.kind === "submitted") record({ ...base, outcome: outcome.submitted.outcome, record: outcome.submitted.record, error: null });
      else if (outcome?.kind === "refused") record({ ...base, outcome: "refused", record: null, error: outcome.error });
      else {
        settle(entry);
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
        if (failure) break;
      }
    }
    await Promise.all(inFlight);
    await flush();
  };

  // A group is settled when full, or as soon as the reader has nothing more at hand (a streamed body
  // waiting for the client), so streamed items are stored as they arrive.
  const entries = input.entries;
  const iterator: AsyncIterator<UploadEntry> | Iterator<UploadEntry> =
    Symbol.asyncIterator in entries ? entries[Symbol.asyncIterator]() : (entries as Iterable<UploadEntry>)[Symbol.iterator]();
  const group: UploadEntry[] = [];
  let finished = false;
  try {
    while (!failure) {
      const next = Promise.resolve(iterator.next());
      if (group.length > 0 && !(await readyBeforeNextTurn(next))) await settleGroup(group.splice(0));
      const step = await next;
      if (step.done) {
        finished = true;
        break;
      }
      group.push(step.value);
      if (group.length >= GROUP_SIZE) await settleGroup(group.splice(0));
    }
  } catch (error) {
    finished = true;
    if (!(error instanceof AppError)) failure ??= { error };
    else interruption = error;
  }
  if (!finished) await iterator.return?.();
  if (!failure && group.length > 0) await settleGroup(group);
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

/** Whether `pending` settles before the event loop's next turn (the reader had the item at hand). */
function readyBeforeNextTurn(pending: Promise<unknown>): Promise<boolean> {
  return Promise.race([
    pending.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
  ]);
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
