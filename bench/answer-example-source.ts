/**
 * The few-shot example source (brute-force cosine over a tenant's reviewed corrections) on embedded
 * SQLite with the local embedder: per find(), the cold load (version query, every example read and
 * decoded), the warm path (version query, the question embedded, cosine over every example), and as a
 * peer in the same run the question's embedding alone. Prints numbers; asserts nothing.
 *
 *   npx tsx bench/answer-example-source.ts [counts=100,1000,5000] [dimension=512]
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LocalHashEmbedder } from "../src/adapters/embedder/local/local-hash-embedder.js";
import { SqlReviewRepository } from "../src/adapters/review-repository/sql/sql-review-repository.js";
import { openSqliteDatabase } from "../src/adapters/sql/open-database.js";
import { createAnswerExampleSource } from "../src/use-cases/reviews/answer-example-source.js";

const counts = (process.argv[2] ?? "100,1000,5000").split(",").map(Number);
const dimension = Number(process.argv[3] ?? 512);
const rounds = 50;
const WORDS = ["kiwi", "volcano", "harbour", "sourdough", "castling", "ledger", "orchard", "quartz", "copper", "meadow", "signal", "otter"];
const questionOf = (index: number) => `How does the ${WORDS[index % WORDS.length]} ${WORDS[(index * 7 + 3) % WORDS.length]} work in case ${index}?`;

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

const embedder = new LocalHashEmbedder({ dimension });
console.log(`answer example source: dimension ${dimension}, ${rounds} rounds, load average ${os.loadavg()[0]!.toFixed(2)}`);
console.log("examples  cold find (ms)  warm find median (ms)  embed alone median (ms)  warm - embed (ms)");
for (const count of counts) {
  const directory = await mkdtemp(path.join(os.tmpdir(), "ragline-bench-examples-"));
  const state = await openSqliteDatabase({ path: path.join(directory, "state.sqlite") });
  try {
    const reviews = new SqlReviewRepository(state);
    const questions = Array.from({ length: count }, (_, index) => questionOf(index));
    const vectors = await embedder.embed(questions);
    for (let index = 0; index < count; index++) {
      const id = `fb_${index}`;
      const createdAt = new Date(Date.UTC(2026, 10, 27, 0, 0, 0, index)).toISOString();
      const feedback = { id, tenant: "bench", answerId: "ans_1", keyId: null, rating: "down" as const, correctedAnswer: "a", comment: null, createdAt };
      const example = {
        id,
        tenant: "bench",
        question: questions[index]!,
        answer: `answer ${index}`,
        embedding: vectors[index]!,
        embeddingModel: embedder.modelId,
        reviewId: null,
        createdAt,
      };
      await reviews.insertFeedback(feedback, { example });
    }
    const source = createAnswerExampleSource({ reviews, embedder, minSimilarity: 0.8, max: 3 });
    const asked = Array.from({ length: rounds }, (_, index) => questionOf(index * 13 + 5));
    const cold = await timed(() => source.find({ tenant: "bench", question: asked[0]! }));
    const warm: number[] = [];
    const embedOnly: number[] = [];
    for (const question of asked) {
      warm.push(await timed(() => source.find({ tenant: "bench", question })));
      embedOnly.push(await timed(() => embedder.embed([question])));
    }
    const [warmMedian, embedMedian] = [median(warm), median(embedOnly)];
    console.log(
      `${String(count).padStart(8)}  ${cold.toFixed(1).padStart(14)}  ${warmMedian.toFixed(2).padStart(21)}  ${embedMedian.toFixed(2).padStart(23)}  ${(warmMedian - embedMedian).toFixed(2).padStart(17)}`,
    );
  } finally {
    await state.close();
    await rm(directory, { recursive: true, force: true });
  }
}
