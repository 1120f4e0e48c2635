import type { RetrievalMetrics } from "../../src/core/eval/retrieval-metrics.js";
import type { Share } from "./evaluate-set.js";
import type { PeerResult } from "./peers/run-peers.js";
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
const retrievalCells = (metrics: RetrievalMetrics): string[] => [
  metric(metrics.ndcgAt10),
  metric(metrics.recallAt10),
  metric(metrics.recallAt100),
  metric(metrics.mrrAt10),
];
/** A share as "0.786 (33/42)"; "–" when there is nothing to count. */
export const ratio = (share: Share | undefined): string =>
  share === undefined || share.of === 0 ? "–" : `${metric(share.count / share.of)} (${share.count}/${share.of})`;

function rows(result: ConfigResult): string[][] {
  const retrieval = (name: string, ranking: string, metrics: RetrievalMetrics) => [name, ranking, ...retrievalCells(metrics)];
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

/** A peer has no threshold and no answerer: its threshold and answer cells are empty, never a refusal rate. */
const peerRow = (peer: PeerResult): string[] => [peer.peer, peer.ranking, ...retrievalCells(peer.metrics), ...Array<string>(7).fill("–")];

/** The configuration the ratios compare: `default` when it ran, else the first one. */
const referenceConfig = (set: SetResult): ConfigResult | undefined => set.configs.find((config) => config.config === "default") ?? set.configs[0];

const quotient = (ours: number, theirs: number): string => (theirs === 0 ? "–" : (ours / theirs).toFixed(3));

/** The ratio line (reference hybrid ÷ each peer, nDCG@10 and R@100) and the peers' times; "" without peers. */
function peerLines(set: SetResult): string {
  const reference = referenceConfig(set);
  if (set.peers.length === 0 || reference === undefined) return "";
  const ratios = set.peers
    .map(
      (peer) =>
        `${peer.peer} ${quotient(reference.hybrid.ndcgAt10, peer.metrics.ndcgAt10)} / ${quotient(reference.hybrid.recallAt100, peer.metrics.recallAt100)}`,
    )
    .join("; ");
  const times = set.peers.map((peer) => `${peer.peer}: index ${peer.buildSeconds.toFixed(1)} s, queries ${peer.querySeconds.toFixed(1)} s`).join("; ");
  return `\nRatio \`${reference.config}\` hybrid (service) ÷ peer, nDCG@10 / R@100: ${ratios}.\n\nPeer time (${set.queries} queries one at a time; peers sharing an index show the same index time): ${times}.\n`;
}

/** A Markdown table: the header, its rule, then one line per row. */
export function markdownTable(header: readonly string[], body: ReadonlyArray<readonly string[]>): string {
  return [header, header.map(() => "---"), ...body].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** One Markdown table per set (never an average over sets), with peer rows, their ratio line and times when peers ran. */
export function formatResults(results: readonly SetResult[]): string {
  return results
    .map((set) => {
      const body = [...set.configs.flatMap(rows), ...set.peers.map(peerRow)];
      const ingest = set.configs
        .map(
          (config) =>
            `${config.config}: ${config.ingest.indexed} indexed, ${config.ingest.failed} failed, ingest ${config.ingest.seconds.toFixed(0)} s, queries ${config.querySeconds.toFixed(0)} s`,
        )
        .join("; ");
      const table = markdownTable(HEADER, body);
      return `### ${set.set} — ${set.documents} documents, ${set.queries} judged queries, ${set.offTopicQuestions} off-topic questions (${ingest})\n\n${table}\n${peerLines(set)}`;
    })
    .join("\n");
}

/** Appended under every run's tables; eval/README.md explains every row and column. */
export const COLUMN_NOTES =
  "Rows and columns are defined in eval/README.md (hybrid = the service's `retrieve` mode, top_k 100, min_score 0; lexical-only / dense-only = the store's candidate lists ranked alone; `peer:` rows = systems outside Ragline on the same documents and queries, top 100, which have no threshold or answerer, so their refusal and answer cells are empty).";
