// Tuning aid: `npx tsx bench/eval/dump-pools.ts <set> [limitQueries] <out.json>` ingests a set into the
// default embedded service and writes, for every judged and off-topic question, the two candidate
// lists exactly as retrieval receives them with the default candidateK (chunk id, document, raw score,
// cosine, title and text), plus the gold spans and judgements. Relevance, thresholds and the
// extractive answerer can then be replayed offline (bench/eval/replay-pools.ts) without re-ingesting.
import { writeFile } from "node:fs/promises";
import { lexicalQueryTerms } from "../../src/core/ranking/lexical-query.js";
import { runPool } from "../lib/bench-service.js";
import { EVAL_TENANT, ingestDocuments, startEvalRuntime } from "./eval-runtime.js";
import { loadOffTopicQuestions, loadSet, sampleSet } from "./eval-sets.js";

const [spec, limit, out] = process.argv.slice(2);
const set = sampleSet(await loadSet(spec!), { limitQueries: limit ? Number(limit) : undefined });
const offTopic = await loadOffTopicQuestions(set);
const running = await startEvalRuntime({});
const ingest = await ingestDocuments(running, set.documents);
const toOriginal = (id: string) => ingest.originalIds.get(id) ?? id;
const items = [
  ...set.queries.map((query) => ({ kind: "q", text: query.text, answers: query.answers ?? [], judgements: Object.fromEntries(query.judgements) })),
  ...offTopic.map((question) => ({ kind: question.kind, text: question.text, answers: [], judgements: {} })),
];
const rows: unknown[] = [];
const limitPerList = running.config.retrieval.candidateK;
await runPool(items, 4, async (item, index) => {
  const [vector] = await running.runtime.deps.embeddings.embed([item.text], { tenant: EVAL_TENANT });
  const lists = await running.runtime.deps.store.candidates({
    tenant: EVAL_TENANT,
    dense: vector!,
    lexicalTerms: lexicalQueryTerms(item.text),
    limit: limitPerList,
  });
  const slim = (candidate: (typeof lists.dense)[number], similarity?: number) => ({
    id: candidate.id,
    score: candidate.score,
    ...(similarity === undefined ? {} : { similarity }),
    text: candidate.text,
    metadata: { ...candidate.metadata, documentId: toOriginal(candidate.metadata.documentId) },
  });
  rows[index] = {
    ...item,
    dense: lists.dense.map((candidate) => slim(candidate)),
    lexical: lists.lexical.map((candidate) => slim(candidate, candidate.similarity)),
  };
});
await writeFile(out!, JSON.stringify(rows));
await running.close();
process.exit(0);
