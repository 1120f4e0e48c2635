/**
 * LanceDB vector store throughput, wrapped as the composition root wraps it (upsert coalescing, candidates
 * concurrency limit): upserts single-chunk documents from concurrent callers (group commit), then times
 * hybrid queries (candidates + core ranking) at concurrency 1 and 16. Prints numbers; asserts nothing.
 *
 *   npx tsx bench/lancedb-upsert.ts [documents=3000] [writers=16] [dimension=384]
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connect } from "@lancedb/lancedb";
import { LanceDbVectorStore } from "../src/adapters/vector-store/lancedb/lancedb-vector-store.js";
import { lexicalQueryTerms } from "../src/core/ranking/lexical-query.js";
import { rankCandidates } from "../src/core/ranking/rank-candidates.js";
import type { CandidatesRequest, ChunkPoint, VectorStore } from "../src/ports/vector-store.js";
import { createCandidatesConcurrencyLimit } from "../src/wrappers/candidates-concurrency-limit.js";
import { createUpsertCoalescingStore } from "../src/wrappers/upsert-coalescing-store.js";

const documentCount = Number(process.argv[2] ?? 3000);
const writerCount = Number(process.argv[3] ?? 16);
const dimension = Number(process.argv[4] ?? 384);
const searchCount = 200;
const model = "bench-embedder";

/** Mulberry32: deterministic so runs are comparable. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = createRandom(42);

/** 5,000 pseudo-words drawn with a skewed (Zipf-like) frequency, so BM25 sees common and rare terms. */
const vocabulary = Array.from({ length: 5_000 }, (_, index) => `w${index.toString(36)}${"aeiou"[index % 5]}`);
function randomWord(): string {
  return vocabulary[Math.floor(Math.pow(random(), 3) * vocabulary.length)]!;
}

function randomVector(): number[] {
  const vector = Array.from({ length: dimension }, () => random() - 0.5);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function randomText(words: number): string {
  return Array.from({ length: words }, randomWord).join(" ");
}

function makePoint(index: number): ChunkPoint {
  const text = `document ${index} ${randomText(120)}`;
  return {
    id: `bench-${index}`,
    tenant: index % 4 === 0 ? "tenant-b" : "tenant-a",
    text,
    vector: randomVector(),
    metadata: {
      documentId: `doc-${index}`,
      title: `Document ${index}`,
      source: `doc-${index}.txt`,
      chunkIndex: 0,
      start: 0,
      end: text.length,
      headingPath: ["Bench"],
      page: null,
      contentHash: `hash-${index}`,
      embeddingModel: model,
    },
  };
}

function percentile(sortedMs: number[], fraction: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil(fraction * sortedMs.length) - 1)]!;
}

async function runConcurrently(total: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

async function timeSearches(store: VectorStore, concurrency: number): Promise<void> {
  const requests: CandidatesRequest[] = Array.from({ length: searchCount }, () => ({
    tenant: "tenant-a",
    dense: randomVector(),
    lexicalTerms: lexicalQueryTerms(randomText(5)),
    limit: 50,
  }));
  const latencies: number[] = [];
  const started = performance.now();
  await runConcurrently(searchCount, concurrency, async (index) => {
    const begin = performance.now();
    rankCandidates(await store.candidates(requests[index]!), { topK: 8, candidateK: 50, minScore: 0 });
    latencies.push(performance.now() - begin);
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `hybrid search, concurrency ${String(concurrency).padStart(2)}: p50 ${percentile(latencies, 0.5).toFixed(1)} ms, ` +
      `p99 ${percentile(latencies, 0.99).toFixed(1)} ms, ${(searchCount / seconds).toFixed(0)} queries/s`,
  );
}

const directory = await mkdtemp(path.join(os.tmpdir(), "ragline-bench-lancedb-"));
try {
  const adapter = await LanceDbVectorStore.open({ directory });
  const store = createCandidatesConcurrencyLimit(createUpsertCoalescingStore(adapter, { maxPointsPerCall: 5_000 }), { maxConcurrent: 4 });
  await store.ensureCollection({ dimension, model });
  const points = Array.from({ length: documentCount }, (_, index) => makePoint(index));
  const inspector = await connect(directory);
  const versionBefore = await (await inspector.openTable("chunks")).version();

  const started = performance.now();
  await runConcurrently(documentCount, writerCount, (index) => store.upsert([points[index]!]));
  const seconds = (performance.now() - started) / 1000;
  const commits = (await (await inspector.openTable("chunks")).version()) - versionBefore;
  console.log(
    `upsert: ${documentCount} single-chunk documents, ${writerCount} concurrent callers, dimension ${dimension}: ` +
      `${(documentCount / seconds).toFixed(0)} points/s (${seconds.toFixed(2)} s, ~${commits} table versions incl. optimize)`,
  );
  console.log(`rows: tenant-a ${await store.count("tenant-a")}, tenant-b ${await store.count("tenant-b")}`);

  await timeSearches(store, 1);
  await timeSearches(store, 16);
  await adapter.optimize();
  console.log("after optimize():");
  await timeSearches(store, 1);
  await timeSearches(store, 16);
  inspector.close();
  await store.close();
} finally {
  await rm(directory, { recursive: true, force: true });
}
