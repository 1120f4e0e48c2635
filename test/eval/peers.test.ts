import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSet, type EvalSet } from "../../bench/eval/eval-sets.js";
import { formatResults } from "../../bench/eval/format-results.js";
import { buildLanceDbPeers } from "../../bench/eval/peers/lancedb-peers.js";
import { buildLangChainPeer } from "../../bench/eval/peers/langchain-peer.js";
import { PEER_EMBEDDING_DIMENSION } from "../../bench/eval/peers/peer-embedder.js";
import type { PeerIndex, PeerRetriever } from "../../bench/eval/peers/peer-types.js";
import { runPeers } from "../../bench/eval/peers/run-peers.js";
import { runHarness, type SetResult } from "../../bench/eval/run-harness.js";
import { configSchema } from "../../src/config/schema.js";

// A tiny BEIR-layout set whose queries only match their document through LanceDB's English analysis:
// stemming (running marathons → runs a marathon), the title (kiwi), ASCII folding (Céloron → Celoron).
// The last query shares no term with any document (stop words aside), so BM25 returns nothing for it.
const CORPUS = [
  { _id: "run-doc", title: "Training", text: "She runs a marathon every spring." },
  { _id: "kiwi-doc", title: "Kiwi", text: "These flightless birds live in New Zealand forests." },
  { _id: "celoron-doc", title: "Expedition", text: "Celoron buried lead plates along the Ohio River." },
  { _id: "stop-doc", title: "", text: "The and of the with to in." },
  // Longer than the LangChain peer's 1,000-character chunks, so it is split and must still rank once.
  { _id: "weather-doc", title: "Weather", text: Array.from({ length: 40 }, (_, index) => `Clouds gather over mountain ${index} before the rain.`).join(" ") },
];
const QUERIES = [
  { _id: "q-stem", text: "Who is running marathons?" },
  { _id: "q-title", text: "What is a kiwi?" },
  { _id: "q-fold", text: "Who was Céloron?" },
  { _id: "q-none", text: "the quantum chromodynamics" },
  { _id: "q-unjudged", text: "never judged, so ignored" },
];
const QRELS = ["query-id\tcorpus-id\tscore", "q-stem\trun-doc\t1", "q-title\tkiwi-doc\t1", "q-fold\tceloron-doc\t1", "q-none\tweather-doc\t1"];

const jsonLines = (rows: object[]) => rows.map((row) => JSON.stringify(row)).join("\n") + "\n";

describe("eval peers on a tiny BEIR directory", () => {
  let directory: string;
  let set: EvalSet;
  let lancedb: PeerIndex;
  let bm25: PeerRetriever;
  let hybrid: PeerRetriever;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "ragline-peer-fixture-"));
    await writeFile(join(directory, "corpus.jsonl"), jsonLines(CORPUS));
    await writeFile(join(directory, "queries.jsonl"), jsonLines(QUERIES));
    await writeFile(join(directory, "qrels.tsv"), QRELS.join("\n") + "\n");
    set = await loadSet(directory);
    lancedb = await buildLanceDbPeers(set.documents);
    [bm25, hybrid] = lancedb.retrievers as [PeerRetriever, PeerRetriever];
  });

  afterAll(async () => {
    await lancedb?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("BM25 finds documents through stemming, the title and ASCII folding, and drops stop words", async () => {
    expect(bm25.name).toBe("peer: lancedb-bm25");
    expect(await bm25.search("Who is running marathons?", 100)).toEqual(["run-doc"]);
    expect(await bm25.search("What is a kiwi?", 100)).toEqual(["kiwi-doc"]);
    expect(await bm25.search("Who was Céloron?", 100)).toEqual(["celoron-doc"]);
    // "the" occurs in three documents; as a stop word it matches none of them.
    expect(await bm25.search("the quantum chromodynamics", 100)).toEqual([]);
  });

  it("hybrid fuses LanceDB's vector and full-text results: the term match first, every document through the vector side", async () => {
    expect(hybrid.name).toBe("peer: lancedb-hybrid");
    const ranking = await hybrid.search("Who is running marathons?", 100);
    expect(ranking[0]).toBe("run-doc");
    expect([...ranking].sort()).toEqual(CORPUS.map((document) => document._id).sort());
    expect(await hybrid.search("What is a kiwi?", 2)).toHaveLength(2);
  });

  it("LangChain's MemoryVectorStore ranks by the same embedder and returns every document, a split one as several chunks", async () => {
    const peer = await buildLangChainPeer(set.documents);
    const [dense] = peer.retrievers;
    expect(dense!.name).toBe("peer: langchain-memory");
    const ranking = await dense!.search("What is a kiwi?", 100);
    expect(ranking[0]).toBe("kiwi-doc");
    expect(new Set(ranking).size).toBe(CORPUS.length);
    expect(ranking.filter((id) => id === "weather-doc").length).toBeGreaterThan(1);
  });

  it("scores every judged query with the shared metrics: three at rank 1, one never found by BM25", async () => {
    expect(set.queries.map((query) => query.id)).toEqual(["q-stem", "q-title", "q-fold", "q-none"]);
    const [bm25Result, hybridResult] = await runPeers(set.documents, set.queries, { depth: 100, peers: ["lancedb"] });
    expect(bm25Result).toMatchObject({ peer: "peer: lancedb-bm25", queries: 4 });
    expect(bm25Result!.metrics.ndcgAt10).toBeCloseTo(0.75, 10);
    expect(bm25Result!.metrics.recallAt100).toBeCloseTo(0.75, 10);
    expect(bm25Result!.metrics.mrrAt10).toBeCloseTo(0.75, 10);
    // The vector side returns all five documents, so the hybrid recalls even the query with no term match.
    expect(hybridResult!.metrics.recallAt100).toBe(1);
    expect(hybridResult!.metrics.mrrAt10).toBeLessThan(1);
  });

  it("runs through the harness on a BEIR directory and prints peer rows with their ratio to the default row", async () => {
    const [result] = await runHarness({ sets: [directory], configs: [], peers: ["lancedb"] });
    expect(result!.peers.map((peer) => peer.peer)).toEqual(["peer: lancedb-bm25", "peer: lancedb-hybrid"]);
    const reference = { ndcgAt10: 0.6, recallAt10: 0.8, recallAt100: 0.9, mrrAt10: 0.6 };
    const withDefault: SetResult = {
      ...result!,
      configs: [
        {
          config: "default",
          ingest: { indexed: 5, failed: 0, seconds: 1 },
          hybrid: reference,
          lexical: reference,
          dense: reference,
          queries: 4,
          thresholds: {
            answerable: 0,
            answerableTurnedAway: { count: 0, of: 0 },
            offTopicEmpty: { count: 0, of: 0 },
            offTopicNearMissEmpty: { count: 0, of: 0 },
            offTopicRefused: { count: 0, of: 0 },
          },
          answers: null,
          querySeconds: 1,
        },
      ],
    };
    const table = formatResults([withDefault]);
    expect(table).toMatch(/\| peer: lancedb-bm25 \| BM25 \(LanceDB\) \| 0\.750 \| 0\.750 \| 0\.750 \| 0\.750 \| – \| – \| – \| – \| – \| – \| – \|/);
    // 0.6 / 0.75 = 0.800 and 0.9 / 0.75 = 1.200.
    expect(table).toContain("peer: lancedb-bm25 0.800 / 1.200");
    expect(table).toContain(`peer: lancedb-hybrid ${(0.6 / result!.peers[1]!.metrics.ndcgAt10).toFixed(3)} / 0.900`);
  });

  it("uses the service's default embedding dimension and no Ragline code beyond the metrics and the local embedder", async () => {
    expect(PEER_EMBEDDING_DIMENSION).toBe(configSchema.parse({}).embedding.dimension);
    const peersDirectory = new URL("../../bench/eval/peers/", import.meta.url);
    for (const file of await readdir(peersDirectory)) {
      const source = await readFile(new URL(file, peersDirectory), "utf8");
      const raglineImports = [...source.matchAll(/from "((?:\.\.\/)+src\/[^"]+)"/g)].map((match) => match[1]!.replace(/^(\.\.\/)+/, ""));
      for (const path of raglineImports) expect(["src/core/eval/retrieval-metrics.js", "src/adapters/embedder/local/local-hash-embedder.js"]).toContain(path);
    }
  });
});
