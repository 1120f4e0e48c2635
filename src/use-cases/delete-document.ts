import { NotFoundError } from "../core/errors.js";
import type { KeyedLock } from "../core/keyed-lock.js";
import type { BlobStore, DocumentRepository } from "../ports/document-repository.js";
import type { VectorStore } from "../ports/vector-store.js";
import { blobKeyFor } from "./submit-document.js";

export interface DeleteDocumentDeps {
  documents: DocumentRepository;
  blobs: BlobStore;
  store: Pick<VectorStore, "deleteDocument">;
  locks: KeyedLock;
}

/**
 * Deletes a document of `tenant`: its chunks from the vector store, its record, and the blob of its
 * current revision (older revisions' blobs were deleted when they were superseded). Throws
 * NotFoundError when the tenant has no such document. A job still running for it finds the record
 * gone and removes whatever chunks it wrote.
 */
export async function deleteDocument(deps: DeleteDocumentDeps, input: { tenant: string; documentId: string }): Promise<void> {
  const { tenant, documentId } = input;
  const removed = await deps.locks.run(`${tenant}\u0000${documentId}`, async () => {
    const record = await deps.documents.get(tenant, documentId);
    if (!record) return false;
    // Chunks go first: a crash after this leaves a record to delete again, never orphaned chunks.
    await deps.store.deleteDocument(tenant, documentId);
    await deps.documents.delete(tenant, documentId);
    await deps.blobs.delete(blobKeyFor(tenant, documentId, record.revision));
    return true;
  });
  if (!removed) throw new NotFoundError(`document ${documentId} not found`);
}
