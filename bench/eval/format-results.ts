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
      const ingest = set.configs
        .map(
          (config) =>
            `${config.config}: ${config.ingest.indexed} indexed, ${config.ingest.failed} failed, ingest ${config.ingest.seconds.toFixed(0)} s, queries ${config.querySeconds.toFixed(0)} s`,
        )
        .join("; ");
      const table = [HEADER, HEADER.map(() => "---"), ...body].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
      return `### ${set.set} — ${set.documents} documents, ${set.queries} judged queries, ${set.offTopicQuestions} off-topic questions (${ingest})\n\n${table}\n`;
    })
    .join("\n");
}

/** Appended under every run's tables; eval/README.md explains every row and column. */
export const COLUMN_NOTES =
  "Rows and columns are defined in eval/README.md (hybrid = the service's `retrieve` mode, top_k 100, min_score 0; lexical-only / dense-only = the store's candidate lists ranked alone).";
