import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LanceDbVectorStore } from "../../../src/adapters/vector-store/lancedb/lancedb-vector-store.js";
import { pointId } from "../../../src/core/documents.js";
import { NotFoundError } from "../../../src/core/errors.js";
import type { ChunkPoint, VectorStore } from "../../../src/ports/vector-store.js";
import { deleteDocument } from "../../../src/use-cases/delete-document.js";
import { blobKeyFor, submitDocument } from "../../../src/use-cases/submit-document.js";
import { wrapPort } from "../../../src/wrappers/wrap-port.js";
import { createEmbeddedDocumentDeps, textUpload } from "./embedded-document-deps.js";

function chunk(tenant: string, documentId: string, index: number): ChunkPoint {
  const text = `chunk ${index} of ${documentId}`;
  return {
    id: pointId(tenant, documentId, index),
    tenant,
    text,
    vector: [1, index, 0.5, 0.25],
    metadata: {
      documentId,
      title: "",
      source: "",
      chunkIndex: index,
      start: 0,
      end: text.length,
      headingPath: [],
      page: null,
      contentHash: "x",
      embeddingModel: "m",
    },
  };
}

describe("deleteDocument", () => {
  let deps: Awaited<ReturnType<typeof createEmbeddedDocumentDeps>>;
  let store: LanceDbVectorStore;
  beforeEach(async () => {
    deps = await createEmbeddedDocumentDeps();
    store = await LanceDbVectorStore.open({ directory: join(deps.directory, "lancedb") });
    await store.ensureCollection({ dimension: 4, model: "m" });
  });
  afterEach(async () => {
    await store.close();
    await deps.cleanup();
  });

  it("removes the chunks, the record and the current blob; another tenant's document is not found", async () => {
    await submitDocument(deps, { tenant: "acme", item: textUpload("version one", "guide"), mode: "replace" });
    await submitDocument(deps, { tenant: "acme", item: textUpload("version two", "guide"), mode: "replace" });
    await store.upsert([chunk("acme", "guide", 0), chunk("acme", "guide", 1)]);

    await expect(deleteDocument({ ...deps, store }, { tenant: "globex", documentId: "guide" })).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.count("acme", "guide")).toBe(2);

    await deleteDocument({ ...deps, store }, { tenant: "acme", documentId: "guide" });
    expect(await store.count("acme", "guide")).toBe(0);
    expect(await deps.documents.get("acme", "guide")).toBeNull();
    expect(await deps.blobs.get(blobKeyFor("acme", "guide", 1))).toBeNull();
    expect(await deps.blobs.get(blobKeyFor("acme", "guide", 2))).toBeNull();
    await expect(deleteDocument({ ...deps, store }, { tenant: "acme", documentId: "guide" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("deletes the chunks first: when that fails the record and blob stay, so the delete can be repeated", async () => {
    await submitDocument(deps, { tenant: "acme", item: textUpload("kept for now", "guide"), mode: "replace" });
    await store.upsert([chunk("acme", "guide", 0)]);
    const failing = wrapPort<VectorStore>(store, {
      deleteDocument: () => async () => {
        throw new Error("store unavailable");
      },
    });
    await expect(deleteDocument({ ...deps, store: failing }, { tenant: "acme", documentId: "guide" })).rejects.toThrow("store unavailable");
    expect(await deps.documents.get("acme", "guide")).not.toBeNull();
    expect(await deps.blobs.get(blobKeyFor("acme", "guide", 1))).not.toBeNull();

    await deleteDocument({ ...deps, store }, { tenant: "acme", documentId: "guide" });
    expect(await deps.documents.get("acme", "guide")).toBeNull();
    expect(await store.count("acme", "guide")).toBe(0);
  });
});
