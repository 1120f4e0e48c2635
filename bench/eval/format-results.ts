import type { RetrievalMetrics } from "../../src/core/eval/retrieval-metrics.js";
import type { Share } from "./evaluate-set.js";
import type { ConfigResult, SetResult } from "./run-harness.js";

const HEADER = [
  "configuration",
  "ranking",
  "nDCG@10",
  "R@10",
  "R@100",
  "MRR@10",
  "off-topic empty",
  "near-miss empty",
  "off-topic refused",
  "answerable turned away",
  "answer has span",
  "citation has span",
  "cited chunk has span",
];

const metric = (value: number): string => value.toFixed(3);
const ratio = (share: Share | undefined): string =>
  share === undefined || share.of === 0 ? "–" : `${metric(share.count / share.of)} (${share.count}/${share.of})`;

function rows(result: ConfigResult): string[][] {
  const retrieval = (name: string, ranking: string, metrics: RetrievalMetrics) => [
    name,
    ranking,
    metric(metrics.ndcgAt10),
    metric(metrics.recallAt10),
    metric(metrics.recallAt100),
    metric(metrics.mrrAt10),
  ];
  const { thresholds, answers } = result;
  return [
    [
      ...retrieval(result.config, "hybrid (service)", result.hybrid),
      ratio(thresholds.offTopicEmpty),
      ratio(thresholds.offTopicNearMissEmpty),
      ratio(thresholds.offTopicRefused),
      ratio(thresholds.answerableTurnedAway),
      ratio(answers?.answerContainsSpan),
      ratio(answers?.citationSnippetContainsSpan),
      ratio(answers?.citedChunkContainsSpan),
    ],
    [...retrieval(result.config, "lexical-only", result.lexical), ...Array<string>(7).fill("–")],
    [...retrieval(result.config, "dense-only", result.dense), ...Array<string>(7).fill("–")],
  ];
}

/** One Markdown table per set (never an average over sets). */
export function formatResults(results: readonly SetResult[]): string {
  return results
    .map((set) => {
      const body = set.configs.flatMap(rows);
      const ingest = set.configs.map((config) => `${config.config}: ${config.ingest.indexed} indexed, ${config.ingest.failed} failed`).join("; ");
      const table = [HEADER, HEADER.map(() => "---"), ...body].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
      return `### ${set.set} — ${set.documents} documents, ${set.queries} judged queries, ${set.offTopicQuestions} off-topic questions (${ingest})\n\n${table}\n`;
    })
    .join("\n");
}

/** What each column means; appended once with every run so a reader of RESULTS.md needs nothing else. */
export const COLUMN_NOTES = `Rankings are per document (a document at its best chunk's position); metrics are means over judged queries.
hybrid (service): \`POST /v1/query\` \`mode: "retrieve"\`, top_k 100, min_score 0 (maxTopK and candidateK raised to 100 for this pass only).
lexical-only / dense-only: the same store's \`candidates\` lists (100 each) for the same question, each sorted by its own raw score (BM25 / cosine), no fusion, no threshold.
Threshold and answer columns use the configuration's own retrieval settings: off-topic empty = share of eval/data/off-topic.jsonl questions for this set with \`retrieval.status: "empty"\` (retrieve mode), near-miss empty = the same for near misses only, off-topic refused = answer mode gave status empty or the not-found answer; answerable turned away = of the queries whose relevant document is in the hybrid top 5 above, the share the default thresholds answered with status empty; answer/citation/cited chunk has span = the answer text, a citation's snippet, or a cited chunk contains a gold span (SQuAD normalisation, whole words).`;
