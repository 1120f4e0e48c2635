/**
 * Dense recall of LanceDB's ANN index (IVF-HNSW-SQ, cosine: the settings the store builds) against
 * exact search, for several refine factors and HNSW search breadths (ef), on `--chunks` rows of the
 * scale corpus embedded by the local embedder, with SQuAD questions. What store.annRefineFactor
 * trades: recall@50 against milliseconds per query. Prints numbers; asserts nothing.
 *
 *   npx tsx bench/lancedb-ann-recall.ts [--chunks 100000] [--questions 300]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect, Index, type Table } from "@lancedb/lancedb";
import { LocalHashEmbedder } from "../src/adapters/embedder/local/local-hash-embedder.js";
import { buildScaleCorpus } from "./lib/scale-corpus.js";

const { values } = parseArgs({ options: { chunks: { type: "string", default: "100000" }, questions: { type: "string", default: "300" } } });
const corpus = await buildScaleCorpus(Number(values.chunks), Number(values.questions));
const embedder = new LocalHashEmbedder({ dimension: 512 });
const directory = await mkdtemp(join(tmpdir(), "ragline-ann-recall-"));
const database = await connect(directory);
let table: Table | null = null;
for (let start = 0; start < corpus.documents.length; start += 20_000) {
  const documents = corpus.documents.slice(start, start + 20_000);
  const vectors = await embedder.embed(documents.map((document) => document.text));
  const rows = documents.map((document, index) => ({ id: document.id, tenant: "default", vector: Array.from(vectors[index]!) }));
  table = table ? (await table.add(rows), table) : await database.createTable("chunks", rows);
}
const loaded: Table = table!;
const rows = await loaded.countRows();
const indexStarted = performance.now();
await loaded.createIndex("vector", { config: Index.hnswSq({ distanceType: "cosine", numPartitions: Math.max(1, Math.round(rows / 1_000_000)) }) });
await loaded.createIndex("tenant", { config: Index.bitmap() });
console.log(`${rows} rows, vector index built in ${((performance.now() - indexStarted) / 1000).toFixed(0)} s`);

const queries = (await embedder.embed(corpus.questions.map((entry) => entry.question))).map((vector) => Float32Array.from(vector));
const search = (query: Float32Array) => loaded.vectorSearch(query).distanceType("cosine").where("tenant = 'default'").select(["id", "_distance"]).limit(50);
const exact: Array<Set<string>> = [];
for (const query of queries) exact.push(new Set((await search(query).bypassVectorIndex().toArray()).map((row: { id: string }) => row.id)));

for (const [refineFactor, ef] of [
  [1, 100],
  [2, 200],
  [4, 400],
  [8, 800],
  [16, 1600],
] as const) {
  let found = 0;
  const started = performance.now();
  for (const [index, query] of queries.entries()) {
    const ids = (await search(query).refineFactor(refineFactor).ef(ef).toArray()).map((row: { id: string }) => row.id);
    found += ids.filter((id) => exact[index]!.has(id)).length / 50;
  }
  const milliseconds = (performance.now() - started) / queries.length;
  console.log(
    `refine ${String(refineFactor).padStart(2)}, ef ${String(ef).padStart(4)}: recall@50 ${(found / queries.length).toFixed(3)}, ${milliseconds.toFixed(2)} ms/query`,
  );
}
loaded.close();
database.close();
await rm(directory, { recursive: true, force: true });
