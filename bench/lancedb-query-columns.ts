/**
 * Where a LanceDB candidate query spends its time on `--chunks` rows of the scale corpus (SQuAD dev
 * and NFCorpus paragraphs, one prefix per copy; local embedder d512), loaded through the store and
 * optimized (so the ANN index exists from 50,000 rows): the dense and full-text queries timed one at
 * a time with the columns the adapter reads and with fewer. Prints numbers; asserts nothing.
 *
 *   npx tsx bench/lancedb-query-columns.ts [--chunks 2067]
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connect } from "@lancedb/lancedb";
import { lexicalQuery } from "../src/adapters/vector-store/lancedb/lancedb-candidates.js";
import { lexicalQueryTerms } from "../src/core/ranking/lexical-query.js";
import { LanceDbVectorStore } from "../src/adapters/vector-store/lancedb/lancedb-vector-store.js";
import { LocalHashEmbedder } from "../src/adapters/embedder/local/local-hash-embedder.js";
import { PAYLOAD_COLUMNS } from "../src/adapters/vector-store/lancedb/lancedb-schema.js";
import { pointId, sha256Hex } from "../src/core/documents.js";
import { parseArgs } from "node:util";
import { buildScaleCorpus } from "./lib/scale-corpus.js";

const { values } = parseArgs({ options: { chunks: { type: "string", default: "2067" } } });
const corpus = await buildScaleCorpus(Number(values.chunks), 200);
const paragraphs = corpus.documents.map((document) => ({ id: document.id, title: document.title, context: document.text }));
const embedder = new LocalHashEmbedder({ dimension: 512 });
const directory = await mkdtemp(path.join(os.tmpdir(), "ragline-query-columns-"));
const store = await LanceDbVectorStore.open({ directory });
await store.ensureCollection({ dimension: 512, model: embedder.modelId });
for (let start = 0; start < paragraphs.length; start += 5_000) await load(paragraphs.slice(start, start + 5_000));
async function load(batch: typeof paragraphs) {
  const vectors = await embedder.embed(batch.map((p) => p.context));
  await store.upsert(
    batch.map((p, i) => ({
      id: pointId("default", p.id, 0),
      tenant: "default",
      text: p.context,
      vector: vectors[i]!,
      metadata: {
        documentId: p.id,
        title: p.title,
        source: "",
        chunkIndex: 0,
        start: 0,
        end: p.context.length,
        headingPath: [],
        page: null,
        contentHash: sha256Hex(p.context),
        embeddingModel: embedder.modelId,
      },
    })),
  );
}
await store.optimize();
await store.close();
const connection = await connect(directory);
const table = await connection.openTable("chunks");
const questions = corpus.questions.map((entry) => entry.question);
console.log(`${await table.countRows()} rows; indexes: ${(await table.listIndices()).map((index) => index.columns.join("+")).join(", ")}`);
const qv = await embedder.embed(questions);
async function time(name: string, run: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await run(i);
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < questions.length; i++) await run(i);
  const ms = (performance.now() - t) / questions.length;
  const c = process.cpuUsage(cpu);
  console.log(`${name.padEnd(40)} ${ms.toFixed(2)} ms wall, ${((c.user + c.system) / 1000 / questions.length).toFixed(2)} ms cpu`);
}
const where = "tenant = 'default'";
const dense = (i: number, refine: number) =>
  table
    .vectorSearch(Float32Array.from(qv[i]!))
    .distanceType("cosine")
    .where(where)
    .refineFactor(refine)
    .ef(2 * refine * 50)
    .limit(50);
const fts = (i: number) =>
  table
    .query()
    .fullTextSearch(lexicalQuery(lexicalQueryTerms(questions[i]!)).query)
    .where(where)
    .limit(50);
await time("dense payload, refine 8 (current)", (i) =>
  dense(i, 8)
    .select([...PAYLOAD_COLUMNS, "_distance"])
    .toArray(),
);
await time("dense id+distance, refine 8", (i) => dense(i, 8).select(["id", "_distance"]).toArray());
await time("dense id+distance, refine 1", (i) => dense(i, 1).select(["id", "_distance"]).toArray());
await time("dense id+distance, no predicate", (i) =>
  table.vectorSearch(Float32Array.from(qv[i]!)).distanceType("cosine").refineFactor(8).ef(800).select(["id", "_distance"]).limit(50).toArray(),
);
await time("fts payload+vector (current)", (i) =>
  fts(i)
    .select([...PAYLOAD_COLUMNS, "vector", "_score"])
    .toArray(),
);
await time("fts id+vector+score", (i) => fts(i).select(["id", "vector", "_score"]).toArray());
await time("fts id+score", (i) => fts(i).select(["id", "_score"]).toArray());
table.close();
connection.close();
await rm(directory, { recursive: true, force: true });
