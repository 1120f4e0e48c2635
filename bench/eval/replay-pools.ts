// Tuning aid: `npx tsx bench/eval/replay-pools.ts <pools.json> [minScore…]` replays the candidate lists
// written by bench/eval/dump-pools.ts through the current core (rankCandidates with the default fusion,
// then answerExtractively on the top 5), with no service and no re-ingest. Per threshold it prints the
// off-topic questions emptied, the answerable questions (relevant document in the unthresholded top 5)
// turned away, and the share of answers holding a gold span. Figures are an offline approximation of
// `npm run eval` (same lists, same core); report the harness's figures, not these.
import { readFile } from "node:fs/promises";
import { answerExtractively } from "../../src/core/answer/extractive-answerer.js";
import type { Passage } from "../../src/core/answer/passages.js";
import { containsGoldSpan } from "../../src/core/eval/answer-metrics.js";
import { FUSION_DEFAULTS } from "../../src/core/ranking/fuse-lists.js";
import { MIN_RELEVANCE_DEFAULT, rankCandidates, type Ranked } from "../../src/core/ranking/rank-candidates.js";

interface PoolCandidate {
  id: string;
  score: number;
  similarity?: number;
  text: string;
  metadata: Passage["metadata"];
}
interface PoolRow {
  kind: string;
  text: string;
  answers: string[];
  judgements: Record<string, number>;
  dense: PoolCandidate[];
  lexical: Array<PoolCandidate & { similarity: number }>;
}

const [path, ...thresholdArgs] = process.argv.slice(2);
const rows = JSON.parse(await readFile(path!, "utf8")) as PoolRow[];
const thresholds = thresholdArgs.length > 0 ? thresholdArgs.map(Number) : [MIN_RELEVANCE_DEFAULT];
const verbose = process.env.REPLAY_VERBOSE === "1";

const ranked = rows.map((row) => rankCandidates(row, { topK: 100, candidateK: 100, minScore: 0, fusion: FUSION_DEFAULTS.local, question: row.text }).hits);
const pct = (count: number, of: number) => `${((100 * count) / Math.max(1, of)).toFixed(1)} % (${count}/${of})`;

for (const minScore of thresholds) {
  let offTopic = 0;
  let offTopicEmpty = 0;
  let nearMiss = 0;
  let nearMissEmpty = 0;
  let answerable = 0;
  let turnedAway = 0;
  let withSpans = 0;
  let answered = 0;
  rows.forEach((row, index) => {
    const all = ranked[index]!;
    const hits = all.filter((hit) => hit.scores.relevance >= minScore).slice(0, 5);
    if (row.kind !== "q") {
      offTopic += 1;
      if (row.kind === "near-miss") nearMiss += 1;
      if (hits.length === 0) {
        offTopicEmpty += 1;
        if (row.kind === "near-miss") nearMissEmpty += 1;
      } else if (verbose) console.log(`kept off-topic: ${row.text} → ${describe(hits[0]!)}`);
      return;
    }
    if (all.slice(0, 5).some((hit) => (row.judgements[hit.candidate.metadata.documentId] ?? 0) > 0)) {
      answerable += 1;
      if (hits.length === 0) {
        turnedAway += 1;
        if (verbose) console.log(`turned away: ${row.text} → ${describe(all[0]!)}`);
      }
    }
    if (row.answers.length === 0) return;
    withSpans += 1;
    const passages = hits.map((hit) => ({ ...hit.candidate, scores: hit.scores }) as Passage);
    const answer = hits.length === 0 ? null : answerExtractively({ question: row.text, hits: passages, maxSentences: 3 }).answer;
    if (containsGoldSpan(answer, row.answers)) answered += 1;
  });
  console.log(
    `minScore ${minScore}: off-topic empty ${pct(offTopicEmpty, offTopic)}, near-miss empty ${pct(nearMissEmpty, nearMiss)}, ` +
      `answerable turned away ${pct(turnedAway, answerable)}, answer has span ${withSpans > 0 ? pct(answered, withSpans) : "–"}`,
  );
}

function describe(hit: Ranked<PoolCandidate>): string {
  return `${hit.scores.relevance.toFixed(3)} ${hit.candidate.metadata.documentId} ${JSON.stringify(hit.scores.relevanceParts ?? null)}`;
}
