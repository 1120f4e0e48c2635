import { isTransientError, UnprocessableDocumentError } from "../core/errors.js";
import type { EmbeddingCache } from "./embedding-cache.js";
import type { BlobStore, DocumentRepository } from "../ports/document-repository.js";
import type { Job, JobContext } from "../ports/job-queue.js";
import type { ChunkPoint, VectorStore } from "../ports/vector-store.js";
import { pointId, sha256Hex } from "../core/documents.js";
import type { IngestJobData } from "./ingest-job.js";
import type { ParseDocument, SupportedMediaType } from "../ports/parser.js";
import { splitIntoChunks, type ChunkingSettings } from "../core/text/split-into-chunks.js";
import type { TokenCounter } from "../core/text/token-counter.js";

export interface IngestDocumentDeps {
  documents: DocumentRepository;
  blobs: BlobStore;
  /** Parser registry: bytes of a sniffed media type → text, title, pages, headings. */
  parse: ParseDocument;
  store: VectorStore;
  embeddings: EmbeddingCache;
  tokens: TokenCounter;
  chunking: () => ChunkingSettings;
  onIndexed?: (chunkCount: number) => void;
  now?: () => Date;
}

/**
 * The ingest job: parse → chunk → embed through the cache → upsert, then prune chunks the previous
 * revision had beyond the new count. Idempotent (deterministic point ids), so a job interrupted by a
 * crash or retried after a transient error converges to one copy of each chunk. A job superseded by
 * a newer revision, or whose document was deleted meanwhile, stops without touching the record (and
 * without needing its blob, which the newer revision or the delete removed).
 * Permanent errors (unparsable file) and the last failed attempt mark the document `failed`.
 */
export async function ingestDocument(deps: IngestDocumentDeps, job: Job<IngestJobData>, context: JobContext): Promise<void> {
  const { tenant, documentId } = job.data;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const record = await deps.documents.get(tenant, documentId);
  if (!record || record.jobId !== job.id) return;

  try {
    await deps.documents.update(tenant, documentId, { status: "processing", updatedAt: now() });
    const bytes = await deps.blobs.get(job.data.blobKey);
    if (!bytes) {
      // A newer revision or a delete removes the superseded blob: this job has nothing left to do.
      const current = await deps.documents.get(tenant, documentId);
      if (!current || current.jobId !== job.id) return;
      throw new UnprocessableDocumentError("the uploaded bytes are missing; upload the document again");
    }
    const parsed = await deps.parse(bytes, record.mediaType as SupportedMediaType);
    const chunks = await splitIntoChunks(parsed, deps.chunking(), deps.tokens);
    if (chunks.length === 0) throw new UnprocessableDocumentError("document has no text to index");
    await context.reportProgress(0.2);

    const vectors = await deps.embeddings.embed(
      chunks.map((chunk) => chunk.text),
      { signal: context.signal, tenant },
    );
    await context.reportProgress(0.7);
    const title = record.title || parsed.title || record.source || documentId;
    const points: ChunkPoint[] = chunks.map((chunk, index) => ({
      id: pointId(tenant, documentId, chunk.index),
      tenant,
      text: chunk.text,
      vector: vectors[index] as number[],
      metadata: {
        documentId,
        title,
        source: record.source,
        chunkIndex: chunk.index,
        start: chunk.start,
        end: chunk.end,
        headingPath: chunk.headingPath,
        page: chunk.page,
        contentHash: sha256Hex(chunk.text),
        embeddingModel: deps.embeddings.modelId,
      },
    }));
    await deps.store.upsert(points);
    // Earlier revisions (or an interrupted earlier attempt) may have left chunks past the new end.
    if (record.revision > 1 || job.attempts > 1) await deps.store.deleteDocument(tenant, documentId, { fromChunkIndex: points.length });

    const current = await deps.documents.get(tenant, documentId);
    if (!current) {
      await deps.store.deleteDocument(tenant, documentId);
      return;
    }
    if (current.jobId !== job.id) return;
    await deps.documents.update(tenant, documentId, { status: "indexed", chunkCount: points.length, title, error: null, updatedAt: now(), indexedAt: now() });
    deps.onIndexed?.(points.length);
  } catch (error) {
    const final = !isTransientError(error) || job.attempts >= job.maxAttempts;
    const message = error instanceof Error ? error.message : String(error);
    const current = await deps.documents.get(tenant, documentId);
    if (current && current.jobId === job.id) {
      await deps.documents.update(
        tenant,
        documentId,
        final
          ? { status: "failed", error: message, updatedAt: now() }
          : { status: "queued", error: `attempt ${job.attempts} failed: ${message}`, updatedAt: now() },
      );
    }
    throw error;
  }
}
