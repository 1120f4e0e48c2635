// Tuning aid: `npx tsx bench/eval/dump-candidates.ts <set> [limitQueries] <out.json>` ingests a set into the
// default embedded service and writes, for every judged and off-topic question, both candidate lists
// (100 each: document, chunk, raw score, cosine, and which query terms the chunk's title + text holds)
// so fusion and thresholds can be swept offline without re-ingesting.
import { writeFile } from "node:fs/promises";
import { lexicalQueryTerms } from "../../src/core/ranking/lexical-query.js";
import { tokenizeTerms } from "../../src/core/text/text-tokens.js";
import { runPool } from "../lib/bench-service.js";
import { EVAL_TENANT, ingestDocuments, startEvalRuntime } from "./eval-runtime.js";
import { loadOffTopicQuestions, loadSet, sampleSet } from "./eval-sets.js";

const [spec, limit, out] = process.argv.slice(2);
const set = sampleSet(await loadSet(spec!), { limitQueries: limit ? Number(limit) : undefined });
const offTopic = await loadOffTopicQuestions(set);
const running = await startEvalRuntime({});
const ingest = await ingestDocuments(running, set.documents);
const toOrig = (id: string) => ingest.originalIds.get(id) ?? id;
const rows: unknown[] = [];
const items = [
  ...set.queries.map((q) => ({ kind: "q", text: q.text, judgements: Object.fromEntries(q.judgements) })),
  ...offTopic.map((o) => ({ kind: o.kind, text: o.text, judgements: {} })),
];
await runPool(items, 4, async (item, index) => {
  const [vector] = await running.runtime.deps.embeddings.embed([item.text], { tenant: EVAL_TENANT });
  const lists = await running.runtime.deps.store.candidates({ tenant: EVAL_TENANT, dense: vector!, lexicalTerms: lexicalQueryTerms(item.text), limit: 100 });
  const qterms = [...new Set(tokenizeTerms(item.text))];
  const cov = (text: string, title = "") => {
    const t = new Set(tokenizeTerms(`${title}\n${text}`));
    return qterms.map((q) => (t.has(q) ? 1 : 0)).join("");
  };
  rows[index] = {
    ...item,
    qterms,
    dense: lists.dense.map((c) => [toOrig(c.metadata.documentId), c.id, c.score, cov(c.text, c.metadata.title)]),
    lexical: lists.lexical.map((c) => [toOrig(c.metadata.documentId), c.id, c.score, c.similarity, cov(c.text, c.metadata.title)]),
  };
});
await writeFile(out!, JSON.stringify(rows));
await running.close();
process.exit(0);
