import type { QdrantClient, Schemas } from "@qdrant/js-client-rest";
import { LEXICAL_TERMS_VERSION, chunkIndexTerms } from "../lexical-terms.js";
import type { Logger } from "../../../ports/logger.js";
import { bm25DocumentVector, type SparseVector } from "./bm25-sparse-vector.js";
import { SPARSE_VECTOR } from "./qdrant-collection.js";
import { callQdrant } from "./qdrant-errors.js";
import { chunkFromPayload } from "./qdrant-points.js";

/** Points read and rewritten per round trip while rebuilding. */
const REBUILD_PAGE_SIZE = 256;

export interface SparseRebuildOptions {
  collection: string;
  /** The collection metadata entry of this adapter as stored; the version is added to it once done. */
  metadata: Record<string, unknown>;
  metadataKey: string;
  logger?: Logger;
}

/**
 * Rewrites every point's BM25 sparse vector from its stored payload (title + text) with the lexical
 * analysis of this version, then records `lexicalTerms: LEXICAL_TERMS_VERSION` in the collection
 * metadata. For a collection written by an earlier version whose terms differ (another stemmer, no
 * titles): without it, questions analysed today would be matched against terms from then. Idempotent:
 * an interrupted rebuild runs again in full on the next start, and two processes rebuilding at once
 * write the same vectors. Points with no terms lose their sparse vector. Returns the points rewritten.
 */
export async function rebuildSparseVectors(client: QdrantClient, options: SparseRebuildOptions): Promise<number> {
  const { collection } = options;
  let offset: Schemas["ExtendedPointId"] | null | undefined;
  let rewritten = 0;
  do {
    const page = await callQdrant("scroll", () =>
      client.scroll(collection, {
        limit: REBUILD_PAGE_SIZE,
        with_payload: ["page_content", "metadata"],
        with_vector: false,
        ...(offset == null ? {} : { offset }),
      }),
    );
    for (const [shardKey, records] of groupByShardKey(page.points)) {
      const withTerms: Array<{ id: Schemas["ExtendedPointId"]; vector: { [SPARSE_VECTOR]: SparseVector } }> = [];
      const withoutTerms: Array<Schemas["ExtendedPointId"]> = [];
      for (const record of records) {
        const chunk = chunkFromPayload(record.payload);
        const sparse = bm25DocumentVector(chunkIndexTerms(chunk));
        if (sparse.indices.length > 0) withTerms.push({ id: record.id, vector: { [SPARSE_VECTOR]: sparse } });
        else withoutTerms.push(record.id);
      }
      const routing = shardKey === null ? {} : { shard_key: shardKey };
      if (withTerms.length > 0) await callQdrant("update vectors", () => client.updateVectors(collection, { wait: true, points: withTerms, ...routing }));
      if (withoutTerms.length > 0)
        await callQdrant("delete vectors", () => client.deleteVectors(collection, { wait: true, points: withoutTerms, vector: [SPARSE_VECTOR], ...routing }));
    }
    rewritten += page.points.length;
    offset = page.next_page_offset as Schemas["ExtendedPointId"] | null | undefined;
  } while (offset != null);
  await callQdrant("update collection", () =>
    client.updateCollection(collection, { metadata: { [options.metadataKey]: { ...options.metadata, lexicalTerms: LEXICAL_TERMS_VERSION } } }),
  );
  options.logger?.info({ collection, points: rewritten, lexicalTerms: LEXICAL_TERMS_VERSION }, "Qdrant sparse vectors rebuilt for this lexical analysis");
  return rewritten;
}

/** Records by the shard key they live under (null without custom sharding): writes must name it. */
function groupByShardKey(records: Array<Schemas["Record"]>): Map<string | number | null, Array<Schemas["Record"]>> {
  const groups = new Map<string | number | null, Array<Schemas["Record"]>>();
  for (const record of records) {
    const key = (record.shard_key as string | number | null | undefined) ?? null;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return groups;
}
