import { connect, Index, MatchQuery, rerankers, type Table } from "@lancedb/lancedb";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EvalDocument } from "../eval-sets.js";
import { createPeerEmbedder } from "./peer-embedder.js";
import { peerDocumentText, type PeerIndex, type PeerRetriever } from "./peer-types.js";

const TABLE_NAME = "documents";
/** Rows written per `add` call, so a large held-out corpus is never one huge Arrow batch in memory. */
const WRITE_BATCH = 2_000;

/** LanceDB's own English analysis, every option the brief names switched on explicitly. */
export const LANCEDB_PEER_FTS_OPTIONS = {
  language: "English",
  stem: true,
  removeStopWords: true,
  asciiFolding: true,
  lowercase: true,
} as const;

interface PeerRow {
  id: string;
  text: string;
  vector: number[];
  [column: string]: unknown;
}

/**
 * Raw in-process LanceDB as a user would set it up: a fresh database in a temporary directory, one
 * table with a row per document (`id`, `text` = title + blank line + text, `vector` = Ragline's local
 * hashed embedding of that same text), an FTS index on `text` with LanceDB's English analysis, no ANN
 * index (exact vector search). Two peers read it:
 * - `peer: lancedb-bm25`: `fullTextSearch(new MatchQuery(question, "text"))` (no query-string parsing);
 * - `peer: lancedb-hybrid`: `nearestTo(embedding)` with cosine distance + the same MatchQuery, fused
 *   by LanceDB's `RRFReranker` (its default k 60).
 */
export async function buildLanceDbPeers(documents: readonly EvalDocument[]): Promise<PeerIndex> {
  const started = performance.now();
  const directory = await mkdtemp(join(tmpdir(), "ragline-peer-lancedb-"));
  const database = await connect(directory);
  const embedder = createPeerEmbedder();
  let table: Table | undefined;
  try {
    for (let start = 0; start < documents.length; start += WRITE_BATCH) {
      const rows: PeerRow[] = documents.slice(start, start + WRITE_BATCH).map((document) => {
        const text = peerDocumentText(document);
        return { id: document.id, text, vector: embedder.embedOne(text) };
      });
      if (table === undefined) table = await database.createTable(TABLE_NAME, rows);
      else await table.add(rows);
    }
    if (table === undefined) throw new Error("a peer index needs at least one document");
    await table.createIndex("text", { config: Index.fts(LANCEDB_PEER_FTS_OPTIONS) });
  } catch (error) {
    database.close();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const ready = table;
  const reranker = await rerankers.RRFReranker.create();

  const bm25: PeerRetriever = {
    name: "peer: lancedb-bm25",
    ranking: "BM25 (LanceDB)",
    description: "LanceDB full-text search (BM25; English stemming, stop words, ASCII folding, lower case), MatchQuery on title + text",
    async search(question, limit) {
      // The score column is selected so LanceDB does not warn that it projects it implicitly.
      const rows = await ready.query().fullTextSearch(new MatchQuery(question, "text")).select(["id", "_score"]).limit(limit).toArray();
      return rows.map((row: { id: string }) => row.id);
    },
  };
  const hybrid: PeerRetriever = {
    name: "peer: lancedb-hybrid",
    ranking: "hybrid (LanceDB RRF)",
    description:
      "LanceDB hybrid query: exact cosine nearestTo (Ragline's local hashed embedder, same vectors) + the same MatchQuery, LanceDB's RRFReranker (k 60)",
    async search(question, limit) {
      const vector = Float32Array.from(embedder.embedOne(question));
      const rows = await ready
        .query()
        .nearestTo(vector)
        .distanceType("cosine")
        .fullTextSearch(new MatchQuery(question, "text"))
        .rerank(reranker)
        // No select: a projection drops the score columns one side of the fusion needs, or makes LanceDB warn on every query.
        .limit(limit)
        .toArray();
      return rows.map((row: { id: string }) => row.id);
    },
  };

  return {
    retrievers: [bm25, hybrid],
    buildSeconds: (performance.now() - started) / 1000,
    async close() {
      database.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
