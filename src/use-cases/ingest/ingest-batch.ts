import { AppError, UnprocessableDocumentError } from "../../core/errors.js";
import { pointId, sha256Hex } from "../../core/documents.js";
import type { TextChunk } from "../../core/text/split-into-chunks.js";
import type { BlobStore, DocumentRecord, DocumentRepository } from "../../ports/document-repository.js";
import type { BatchContext, Job, JobOutcome } from "../../ports/job-queue.js";
import type { ChunkPoint, VectorStore } from "../../ports/vector-store.js";
import type { EmbeddingCache } from "../embedding-cache.js";
import type { IngestJobData } from "../ingest-job.js";
import { documentChunks, type DocumentChunksDeps } from "./document-chunks.js";
import { finishBatch, type Work } from "./finish-batch.js";
import { logBatchOutcomes } from "./ingest-logs.js";
import type { Logger } from "../../ports/logger.js";
import { noopTracer, type SpanAttributes, type Tracer } from "../../ports/tracer.js";

export interface IngestBatchDeps extends DocumentChunksDeps {
  documents: DocumentRepository;
  blobs: BlobStore;
  store: VectorStore;
  embeddings: EmbeddingCache;
  /** Uploaded bytes processed together at most: a larger batch goes through parse → embed → upsert in groups, one after another. */
  maxBytesPerGroup: number;
  onIndexed?: (chunkCount: number) => void;
  now?: () => Date;
  /** Each document's outcome is logged with its id and file name (source). */
  logger?: Logger;
  /** Spans for the batch and each of its stages; absent → none. */
  tracer?: Tracer;
}

/**
 * The ingest job, for a batch of jobs at once: parse → chunk → embed through the cache → upsert,
 * then prune chunks the previous revision had beyond the new count. Per batch: the records are read
 * in one query, marked `processing` in one transaction and settled (`indexed`, or `failed` / `queued`
 * for another attempt) in one; the cache is read and written once, the chunks of every document
 * share embedding requests, and the points go to the store in one upsert. Each document still
 * fails alone: an unparsable file, a refused embedding or a refused point fails its own job only.
 * Idempotent (deterministic point ids), so a batch interrupted by a crash or retried converges to
 * one copy of each chunk. A job superseded by a newer revision, or whose document was deleted
 * meanwhile, stops without touching the record (and without its blob, which the newer revision or
 * the delete removed); chunks it wrote for a deleted document are removed. Resolves with one
 * outcome per job; a failure is that job's error.
 */
export async function ingestBatch(deps: IngestBatchDeps, jobs: Array<Job<IngestJobData>>, context: BatchContext): Promise<JobOutcome[]> {
  const tracer = deps.tracer ?? noopTracer;
  // Each batch is its own trace (whatever woke the worker is not its parent), linked to the uploads that queued its jobs.
  return tracer.span(
    "ingest.batch",
    { "ragline.jobs": jobs.length },
    async (span) => {
      const outcomes = await ingestStages(deps, tracer, jobs, context);
      span.setAttributes({ "ragline.jobs.failed": outcomes.filter((outcome) => !outcome.ok).length });
      return outcomes;
    },
    { root: true, links: [...new Set(jobs.flatMap((job) => (job.data.traceparent ? [job.data.traceparent] : [])))] },
  );
}

async function ingestStages(deps: IngestBatchDeps, tracer: Tracer, jobs: Array<Job<IngestJobData>>, context: BatchContext): Promise<JobOutcome[]> {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  let live: Work[];
  try {
    live = await tracer.span("ingest.claim", {}, async (span) => {
      const claimed = await startBatch(deps, jobs, now());
      span.setAttributes({ "ragline.documents": claimed.length });
      return claimed;
    });
  } catch (error) {
    // Nothing was written yet: every job of the batch is retried (or failed) as it stands.
    deps.logger?.warn(
      { jobIds: jobs.map((job) => job.id), documentIds: jobs.map((job) => job.data.documentId), error: messageOf(error) },
      "ingest batch could not start",
    );
    return jobs.map(() => ({ ok: false, error }));
  }
  const groups = groupsByBytes(live, deps.maxBytesPerGroup);
  for (const [index, group] of groups.entries()) {
    const progress = (phase: number) => context.reportProgress((index + phase) / groups.length);
    await tracer.span("ingest.parse", groupAttributes(group), () => extract(deps, group));
    await progress(0.2);
    await tracer.span("ingest.embed", groupAttributes(group), () => embed(deps, group, context.signal));
    await progress(0.7);
    await tracer.span("ingest.upsert", groupAttributes(group), () => write(deps, group));
  }
  await tracer.span("ingest.finalize", { "ragline.documents": live.length }, () => finishBatch(deps, live, now()));
  const outcomes: JobOutcome[] = jobs.map(() => ({ ok: true }));
  for (const work of live) if (work.error !== undefined) outcomes[work.index] = { ok: false, error: work.error };
  if (deps.logger) logBatchOutcomes(deps.logger, live);
  return outcomes;
}

/** A stage's span attributes: how many documents and bytes of the group, and how many had already failed. */
function groupAttributes(group: Work[]): SpanAttributes {
  return {
    "ragline.documents": group.length,
    "ragline.bytes": group.reduce((sum, work) => sum + work.record.byteSize, 0),
    "ragline.documents.failed_before": group.filter((work) => work.error !== undefined).length,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The batch's live jobs (their record still names them), marked `processing`. */
async function startBatch(deps: IngestBatchDeps, jobs: Array<Job<IngestJobData>>, now: string): Promise<Work[]> {
  const records = await deps.documents.getMany(jobs.map((job) => ({ tenant: job.data.tenant, id: job.data.documentId })));
  const current: Work[] = [];
  jobs.forEach((job, index) => {
    const record = records[index];
    if (record && record.jobId === job.id) current.push({ index, job, record });
  });
  const marked = await deps.documents.updateMany(
    current.map(({ job, record }) => ({ tenant: record.tenant, id: record.id, jobId: job.id, patch: { status: "processing", updatedAt: now } })),
  );
  return current.filter((_, index) => marked[index]);
}

function groupsByBytes(live: Work[], maxBytes: number): Work[][] {
  const groups: Work[][] = [];
  let bytes = Number.POSITIVE_INFINITY;
  for (const work of live) {
    if (bytes + work.record.byteSize > maxBytes) {
      groups.push([]);
      bytes = 0;
    }
    groups.at(-1)!.push(work);
    bytes += work.record.byteSize;
  }
  return groups;
}

/** Reads, parses and chunks each document of the group; a missing blob means superseded or deleted, unless the record still names this job. */
async function extract(deps: IngestBatchDeps, group: Work[]): Promise<void> {
  const missing: Work[] = [];
  await Promise.all(
    group.map(async (work) => {
      try {
        const bytes = await deps.blobs.get(work.job.data.blobKey);
        if (!bytes) return void missing.push(work);
        const { chunks, parsedTitle } = await documentChunks(deps, work.record, bytes);
        work.chunks = chunks;
        work.title = work.record.title || parsedTitle || work.record.source || work.record.id;
      } catch (error) {
        work.error = error;
      }
    }),
  );
  if (missing.length === 0) return;
  try {
    const records = await deps.documents.getMany(missing.map(({ record }) => ({ tenant: record.tenant, id: record.id })));
    missing.forEach((work, index) => {
      if (records[index]?.jobId !== work.job.id) work.superseded = true;
      else work.error = new UnprocessableDocumentError("the uploaded bytes are missing; upload the document again");
    });
  } catch (error) {
    for (const work of missing) work.error = error;
  }
}

/** Embeds the chunks of the group's documents: one cache look-up, shared requests, one cache write. */
async function embed(deps: IngestBatchDeps, group: Work[], signal: AbortSignal): Promise<void> {
  const ready = group.filter((work): work is Work & { chunks: TextChunk[] } => work.chunks !== undefined && work.error === undefined);
  if (ready.length === 0) return;
  const results = await deps.embeddings.embedGroups(
    ready.map((work) => ({ texts: work.chunks.map((chunk) => chunk.text), tenant: work.record.tenant })),
    { signal },
  );
  ready.forEach((work, index) => {
    const result = results[index]!;
    if ("error" in result) work.error = result.error;
    else work.points = toPoints(work.record, work.chunks, result.vectors, work.title!, deps.embeddings.modelId);
  });
}

function toPoints(record: DocumentRecord, chunks: TextChunk[], vectors: number[][], title: string, embeddingModel: string): ChunkPoint[] {
  return chunks.map((chunk, index) => ({
    id: pointId(record.tenant, record.id, chunk.index),
    tenant: record.tenant,
    text: chunk.text,
    vector: vectors[index]!,
    metadata: {
      documentId: record.id,
      title,
      source: record.source,
      chunkIndex: chunk.index,
      start: chunk.start,
      end: chunk.end,
      headingPath: chunk.headingPath,
      page: chunk.page,
      contentHash: sha256Hex(chunk.text),
      embeddingModel,
    },
  }));
}

/**
 * One upsert of every point of the group; when it is refused (a non-transient error: some point is
 * bad), each document's points again on their own, so only the document at fault fails. Then the
 * chunks an earlier revision (or an interrupted attempt) left past the new end are removed.
 */
async function write(deps: IngestBatchDeps, group: Work[]): Promise<void> {
  const ready = group.filter((work): work is Work & { points: ChunkPoint[] } => work.points !== undefined && work.error === undefined);
  if (ready.length === 0) return;
  try {
    await deps.store.upsert(ready.flatMap((work) => work.points));
  } catch (error) {
    const refused = error instanceof AppError && !error.transient;
    if (!refused || ready.length === 1) {
      for (const work of ready) work.error = error;
      return;
    }
    await Promise.all(ready.map((work) => deps.store.upsert(work.points).catch((alone: unknown) => void (work.error = alone))));
  }
  await Promise.all(
    ready
      .filter((work) => work.error === undefined && (work.record.revision > 1 || work.job.attempts > 1))
      .map((work) =>
        deps.store
          .deleteDocument(work.record.tenant, work.record.id, { fromChunkIndex: work.points.length })
          .catch((error: unknown) => void (work.error = error)),
      ),
  );
}
