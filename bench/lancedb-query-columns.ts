/**
 * Where a LanceDB candidate query spends its time on the SQuAD dev paragraphs (2,067 rows, local
 * embedder d512): the dense and full-text queries timed one at a time with the columns the adapter
 * reads and with fewer. Prints numbers; asserts nothing.
 *
 *   npx tsx bench/lancedb-query-columns.ts
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connect, MatchQuery } from "@lancedb/lancedb";
import { LanceDbVectorStore } from "../src/adapters/vector-store/lancedb/lancedb-vector-store.js";
import { LocalHashEmbedder } from "../src/adapters/embedder/local/local-hash-embedder.js";
import { PAYLOAD_COLUMNS } from "../src/adapters/vector-store/lancedb/lancedb-schema.js";
import { pointId, sha256Hex } from "../src/core/documents.js";
import { loadSquadParagraphs } from "./lib/squad.js";

const paragraphs = await loadSquadParagraphs();
const embedder = new LocalHashEmbedder({ dimension: 512 });
const directory = await mkdtemp(path.join(os.tmpdir(), "ragline-query-columns-"));
const store = await LanceDbVectorStore.open({ directory });
await store.ensureCollection({ dimension: 512, model: embedder.modelId });
const vectors = await embedder.embed(paragraphs.map((p) => p.context));
await store.upsert(
  paragraphs.map((p, i) => ({
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
await store.optimize();
await store.close();
const connection = await connect(directory);
const table = await connection.openTable("chunks");
const questions = paragraphs.slice(0, 200).map((p) => p.questions[0]!.question);
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
await time("dense payload (current)", (i) =>
  table
    .vectorSearch(Float32Array.from(qv[i]!))
    .distanceType("cosine")
    .where(where)
    .refineFactor(1)
    .select([...PAYLOAD_COLUMNS, "_distance"])
    .limit(50)
    .toArray(),
);
await time("dense id+distance", (i) =>
  table.vectorSearch(Float32Array.from(qv[i]!)).distanceType("cosine").where(where).refineFactor(1).select(["id", "_distance"]).limit(50).toArray(),
);
await time("dense id+distance no refine", (i) =>
  table.vectorSearch(Float32Array.from(qv[i]!)).distanceType("cosine").where(where).select(["id", "_distance"]).limit(50).toArray(),
);
await time("dense id+distance no where", (i) =>
  table.vectorSearch(Float32Array.from(qv[i]!)).distanceType("cosine").refineFactor(1).select(["id", "_distance"]).limit(50).toArray(),
);
await time("fts payload+vector (current)", (i) =>
  table
    .query()
    .fullTextSearch(new MatchQuery(questions[i]!, "text"))
    .where(where)
    .select([...PAYLOAD_COLUMNS, "vector", "_score"])
    .limit(50)
    .toArray(),
);
await time("fts id+score", (i) =>
  table.query().fullTextSearch(new MatchQuery(questions[i]!, "text")).where(where).select(["id", "_score"]).limit(50).toArray(),
);
await time("fts id+vector+score", (i) =>
  table.query().fullTextSearch(new MatchQuery(questions[i]!, "text")).where(where).select(["id", "vector", "_score"]).limit(50).toArray(),
);
table.close();
connection.close();
await rm(directory, { recursive: true, force: true });
