/**
 * Retrieval and extractive-answer quality of the offline defaults on SQuAD v1.1 dev.
 *
 * Usage: npx tsx bench/retrieval-quality.ts [--questions N] [--dimension D]
 * Reads ../shared/data/squad/dev-v1.1.json (relative to the project root), embeds every paragraph
 * with LocalHashEmbedder, ranks paragraphs per question by brute-force cosine and prints recall@k,
 * MRR@10, similarity distributions (to choose minScore) and extractive-answer containment rates:
 * from the top 5 of that dense ranking, of a BM25 ranking over the same analysed terms, and of
 * their reciprocal rank fusion, each also restricted to the questions whose gold paragraph is in
 * that top 5 (what the answerer itself gets right).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { LocalHashEmbedder } from "../src/adapters/embedder/local/local-hash-embedder.js";
import { answerExtractively } from "../src/core/answer/extractive-answerer.js";
import { reciprocalRankFusion } from "../src/core/ranking/reciprocal-rank-fusion.js";
import { normalizeText, tokenizeTerms } from "../src/core/text/text-tokens.js";
import type { SearchHit } from "../src/ports/vector-store.js";
import { seededRandom } from "./lib/seeded-random.js";

interface SquadFile {
  data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ question: string; answers: Array<{ text: string }> }> }> }>;
}

interface Question {
  question: string;
  answers: string[];
  paragraphIndex: number;
}

function readNumberFlag(name: string, fallback: number): number {
  const position = process.argv.indexOf(`--${name}`);
  const value = position >= 0 ? Number(process.argv[position + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  const position = Math.min(sorted.length - 1, Math.max(0, Math.floor(fraction * (sorted.length - 1))));
  return sorted[position] ?? Number.NaN;
}

function dot(left: Float32Array, right: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += left[index]! * right[index]!;
  return sum;
}

function toHit(text: string, paragraphIndex: number, score: number): SearchHit {
  const metadata = {
    documentId: `paragraph-${paragraphIndex}`,
    title: "",
    source: "squad",
    chunkIndex: 0,
    start: 0,
    end: text.length,
    headingPath: [],
    page: null,
    contentHash: "",
    embeddingModel: "",
  };
  return {
    id: `chunk-${paragraphIndex}`,
    tenant: "bench",
    text,
    metadata,
    scores: { dense: score, text: null, denseRank: null, textRank: null, fused: score, relevance: score },
  };
}

function containsGold(answer: string | null, golds: string[]): boolean {
  if (answer === null) return false;
  const normalizedAnswer = normalizeText(answer);
  return golds.some((gold) => normalizedAnswer.includes(normalizeText(gold)));
}

const format = (value: number): string => value.toFixed(3);

const questionCount = readNumberFlag("questions", 1000);
const dimension = readNumberFlag("dimension", 512);
const dataPath = fileURLToPath(new URL("../../shared/data/squad/dev-v1.1.json", import.meta.url));
const squad = JSON.parse(readFileSync(dataPath, "utf8")) as SquadFile;

const paragraphs: string[] = [];
const articleOfParagraph: number[] = [];
const allQuestions: Question[] = [];
squad.data.forEach((article, articleIndex) => {
  for (const paragraph of article.paragraphs) {
    const paragraphIndex = paragraphs.length;
    paragraphs.push(paragraph.context);
    articleOfParagraph.push(articleIndex);
    for (const qa of paragraph.qas) allQuestions.push({ question: qa.question, answers: qa.answers.map((answer) => answer.text), paragraphIndex });
  }
});

const random = seededRandom(20240601);
const shuffled = [...allQuestions];
for (let index = shuffled.length - 1; index > 0; index--) {
  const other = Math.floor(random() * (index + 1));
  [shuffled[index], shuffled[other]] = [shuffled[other]!, shuffled[index]!];
}
const questions = shuffled.slice(0, Math.min(questionCount, shuffled.length));

const embedder = new LocalHashEmbedder({ dimension });
const embedStarted = performance.now();
const paragraphVectors = paragraphs.map((paragraph) => Float32Array.from(embedder.embedOne(paragraph)));
const questionVectors = questions.map((question) => Float32Array.from(embedder.embedOne(question.question)));
const embedSeconds = (performance.now() - embedStarted) / 1000;

/** Okapi BM25 (k1 1.2, b 0.75) over whole paragraphs, with the analysed terms retrieval uses. */
function createBm25Index(texts: string[]): (query: string, limit: number) => number[] {
  const postings = new Map<string, Array<{ paragraph: number; frequency: number }>>();
  const lengths = texts.map((text, paragraph) => {
    const counts = new Map<string, number>();
    const terms = tokenizeTerms(text);
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    for (const [term, frequency] of counts) {
      const list = postings.get(term) ?? [];
      list.push({ paragraph, frequency });
      postings.set(term, list);
    }
    return terms.length;
  });
  const averageLength = lengths.reduce((sum, length) => sum + length, 0) / lengths.length;
  return (query, limit) => {
    const scores = new Map<number, number>();
    for (const term of new Set(tokenizeTerms(query))) {
      const list = postings.get(term) ?? [];
      const idf = Math.log(1 + (texts.length - list.length + 0.5) / (list.length + 0.5));
      for (const { paragraph, frequency } of list) {
        const norm = frequency + 1.2 * (0.25 + (0.75 * lengths[paragraph]!) / averageLength);
        scores.set(paragraph, (scores.get(paragraph) ?? 0) + (idf * frequency * 2.2) / norm);
      }
    }
    return [...scores]
      .sort((left, right) => right[1] - left[1] || left[0] - right[0])
      .slice(0, limit)
      .map(([paragraph]) => paragraph);
  };
}

interface AnswerTally {
  contained: number;
  goldInTop5: number;
  containedWhenGoldInTop5: number;
}

const answerTallies = new Map<string, AnswerTally>();
function tallyAnswer(label: string, question: Question, ranked: number[]): void {
  const tally = answerTallies.get(label) ?? { contained: 0, goldInTop5: 0, containedWhenGoldInTop5: 0 };
  answerTallies.set(label, tally);
  const top5 = ranked.slice(0, 5);
  const hits = top5.map((paragraphIndex, rank) => toHit(paragraphs[paragraphIndex]!, paragraphIndex, 1 / (1 + rank)));
  const contained = containsGold(answerExtractively({ question: question.question, hits }).answer, question.answers);
  const goldInTop5 = top5.includes(question.paragraphIndex);
  if (contained) tally.contained++;
  if (goldInTop5) tally.goldInTop5++;
  if (contained && goldInTop5) tally.containedWhenGoldInTop5++;
}

const bm25 = createBm25Index(paragraphs);
const recallAt = { 1: 0, 5: 0, 10: 0 };
let reciprocalRankSum = 0;
const topSimilarities: number[] = [];
const goldSimilarities: number[] = [];
const unrelatedSimilarities: number[] = [];
let goldOnlyContained = 0;
let goldOnlySingleSentenceContained = 0;
let retrievedContained = 0;
let retrievedNull = 0;

questions.forEach((question, questionIndex) => {
  const questionVector = questionVectors[questionIndex]!;
  const scored = paragraphVectors.map((vector, paragraphIndex) => ({ paragraphIndex, score: dot(questionVector, vector) }));
  scored.sort((left, right) => right.score - left.score);
  const top = scored.slice(0, 10);
  const rank = top.findIndex((entry) => entry.paragraphIndex === question.paragraphIndex);
  if (rank === 0) recallAt[1]++;
  if (rank >= 0 && rank < 5) recallAt[5]++;
  if (rank >= 0) {
    recallAt[10]++;
    reciprocalRankSum += 1 / (rank + 1);
  }
  topSimilarities.push(top[0]!.score);
  goldSimilarities.push(dot(questionVector, paragraphVectors[question.paragraphIndex]!));
  let unrelated = Math.floor(random() * paragraphs.length);
  while (articleOfParagraph[unrelated] === articleOfParagraph[question.paragraphIndex]) unrelated = Math.floor(random() * paragraphs.length);
  unrelatedSimilarities.push(dot(questionVector, paragraphVectors[unrelated]!));

  const goldHit = [toHit(paragraphs[question.paragraphIndex]!, question.paragraphIndex, 1)];
  if (containsGold(answerExtractively({ question: question.question, hits: goldHit }).answer, question.answers)) goldOnlyContained++;
  if (containsGold(answerExtractively({ question: question.question, hits: goldHit, maxSentences: 1 }).answer, question.answers))
    goldOnlySingleSentenceContained++;
  const retrievedHits = top.slice(0, 5).map((entry) => toHit(paragraphs[entry.paragraphIndex]!, entry.paragraphIndex, entry.score));
  const retrievedAnswer = answerExtractively({ question: question.question, hits: retrievedHits }).answer;
  if (retrievedAnswer === null) retrievedNull++;
  if (containsGold(retrievedAnswer, question.answers)) retrievedContained++;

  const denseRanking = scored.slice(0, 100).map((entry) => entry.paragraphIndex);
  const lexicalRanking = bm25(question.question, 100);
  tallyAnswer("dense", question, denseRanking);
  tallyAnswer("bm25", question, lexicalRanking);
  tallyAnswer(
    "rrf(dense, bm25)",
    question,
    reciprocalRankFusion([denseRanking, lexicalRanking]).map((item) => item.key),
  );
});

const total = questions.length;
const minScore = Math.floor(percentile(goldSimilarities, 0.05) * 100) / 100;
const keptGold = goldSimilarities.filter((score) => score >= minScore).length / total;
const rejectedUnrelated = unrelatedSimilarities.filter((score) => score < minScore).length / total;
const distribution = (values: number[]): string =>
  `p5 ${format(percentile(values, 0.05))}  p50 ${format(percentile(values, 0.5))}  p95 ${format(percentile(values, 0.95))}  p99 ${format(percentile(values, 0.99))}`;

console.log(`model ${embedder.modelId}; ${paragraphs.length} paragraphs, ${total} sampled questions of ${allQuestions.length}`);
console.log(
  `embedding: ${paragraphs.length + total} texts in ${embedSeconds.toFixed(2)} s = ${Math.round((paragraphs.length + total) / embedSeconds)} texts/s`,
);
console.log(
  `recall@1 ${format(recallAt[1] / total)}  recall@5 ${format(recallAt[5] / total)}  recall@10 ${format(recallAt[10] / total)}  MRR@10 ${format(reciprocalRankSum / total)}`,
);
console.log(`top-1 similarity            ${distribution(topSimilarities)}`);
console.log(`gold-paragraph similarity   ${distribution(goldSimilarities)}`);
console.log(`unrelated-paragraph sim.    ${distribution(unrelatedSimilarities)}  (random paragraph of another article)`);
console.log(`suggested minScore ${minScore.toFixed(2)}: keeps ${format(keptGold)} of gold paragraphs, rejects ${format(rejectedUnrelated)} of unrelated ones`);
for (const threshold of [0.08, 0.1, 0.12, 0.15, 0.2]) {
  const kept = goldSimilarities.filter((score) => score >= threshold).length / total;
  const rejected = unrelatedSimilarities.filter((score) => score < threshold).length / total;
  console.log(`  minScore ${threshold.toFixed(2)}: keeps ${format(kept)} of gold paragraphs, rejects ${format(rejected)} of unrelated ones`);
}
console.log(
  `extractive, gold paragraph only: answer contains a gold span ${format(goldOnlyContained / total)} (maxSentences 3), ${format(goldOnlySingleSentenceContained / total)} (maxSentences 1)`,
);
console.log(
  `extractive, top-5 retrieved:     answer contains a gold span ${format(retrievedContained / total)}; null answers ${format(retrievedNull / total)}`,
);
for (const [label, tally] of answerTallies) {
  console.log(
    `extractive, top-5 of ${label.padEnd(16)} answer contains a gold span ${format(tally.contained / total)}; gold paragraph in top 5 ${format(tally.goldInTop5 / total)}, answer contains a gold span when it is ${format(tally.containedWhenGoldInTop5 / tally.goldInTop5)}`,
  );
}
