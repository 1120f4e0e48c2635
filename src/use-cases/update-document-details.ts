import { ConflictError, NotFoundError } from "../core/errors.js";
import type { DocumentRecord } from "../ports/document-repository.js";
import { blobKeyFor, sameJson, storeRevision, type SubmitDocumentDeps } from "./submit-document.js";

/**
 * Changes a document's title and/or metadata without uploading it again (`metadata` replaces the
 * whole object). A new title is written into every chunk, so it runs a new revision of the stored
 * bytes (its embeddings come from the cache); metadata alone only changes the record. A failed
 * document only has its record changed. `reindexing`: a new revision was queued. NotFoundError for
 * a missing (or another tenant's) document.
 */
export async function updateDocumentDetails(
  deps: SubmitDocumentDeps,
  input: { tenant: string; documentId: string; title?: string; metadata?: Record<string, unknown> },
): Promise<{ record: DocumentRecord; changed: boolean; reindexing: boolean }> {
  const { tenant, documentId } = input;
  return deps.locks.run(`${tenant}\u0000${documentId}`, async () => {
    const existing = await deps.documents.get(tenant, documentId);
    if (!existing) throw new NotFoundError(`document ${documentId} not found`);
    const title = input.title ?? existing.title;
    const metadata = input.metadata ?? existing.metadata;
    const retitled = title !== existing.title;
    if (!retitled && sameJson(metadata, existing.metadata)) return { record: existing, changed: false, reindexing: false };
    if (!retitled || existing.status === "failed") {
      const updated = await deps.documents.update(tenant, documentId, { title, metadata, updatedAt: (deps.now ?? (() => new Date()))().toISOString() });
      if (!updated) throw new NotFoundError(`document ${documentId} not found`);
      return { record: updated, changed: true, reindexing: false };
    }
    const bytes = await deps.blobs.get(blobKeyFor(tenant, documentId, existing.revision));
    if (!bytes) throw new ConflictError(`the stored bytes of document ${documentId} are gone; upload it again to change its title`);
    const record = await storeRevision(deps, existing, { title, source: existing.source, metadata, bytes });
    return { record, changed: true, reindexing: true };
  });
}
