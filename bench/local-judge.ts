/**
 * The local grounding judge over SQuAD dev: for the first `count` questions, the extractive answer
 * from the question's own paragraph is judged (it quotes the passage, so it should score 1), then the
 * same answer with every number in it changed (+1), and the same answer plus a planted sentence
 * taken from another article. Prints, for each, the share where the judge found the changed or
 * planted sentence unsupported and the share of answers flagged below minScore (0.6), and the time
 * per judgement next to the extractive answerer's time on the same paragraph (a peer in the same run,
 * so the ratio survives a noisy machine). Asserts nothing.
 *
 *   npx tsx bench/local-judge.ts [count=2000]
 */
import { readFileSync } from "node:fs";
import { answerExtractively } from "../src/core/answer/extractive-answerer.js";
import type { Passage } from "../src/core/answer/passages.js";
import { checkSupport } from "../src/core/answer/support-check.js";

const count = Number(process.argv[2] ?? 2_000);
const MIN_SCORE = 0.6;
const squad = JSON.parse(readFileSync(new URL("../../shared/data/squad/dev-v1.1.json", import.meta.url), "utf8")) as {
  data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ question: string }> }> }>;
};

const cases: Array<{ question: string; passage: Passage; elsewhere: string }> = [];
for (const [articleIndex, article] of squad.data.entries()) {
  const other = squad.data[(articleIndex + 7) % squad.data.length]!.paragraphs[0]!.context.split(/(?<=\.)\s/)[0]!;
  for (const [paragraphIndex, paragraph] of article.paragraphs.entries()) {
    const passage: Passage = {
      id: `${articleIndex}-${paragraphIndex}`,
      text: paragraph.context,
      metadata: { documentId: article.title, title: article.title, source: article.title, page: null, contentHash: "" },
      scores: { fused: 1 },
    };
    for (const qa of paragraph.qas) cases.push({ question: qa.question, passage, elsewhere: `${other} [1]` });
  }
}
const sample = cases.slice(0, count);

let extractiveMs = 0;
let judgeMs = 0;
const flagged = { quoted: 0, numbers: 0, planted: 0 };
const caught = { numbers: 0, planted: 0 };
let withNumbers = 0;
let answered = 0;
for (const item of sample) {
  let started = performance.now();
  const extracted = answerExtractively({ question: item.question, hits: [item.passage], maxSentences: 3 });
  extractiveMs += performance.now() - started;
  if (extracted.answer === null) continue;
  answered++;
  const check = (answer: string) => checkSupport({ answer, passages: [item.passage], citations: extracted.citations });
  started = performance.now();
  if (check(extracted.answer).score < MIN_SCORE) flagged.quoted++;
  judgeMs += performance.now() - started;
  const changed = extracted.answer.replace(/(?<![\d[])\d+(?![\d\]])/g, (digits) => String(Number(digits) + 1));
  if (changed !== extracted.answer) {
    withNumbers++;
    const verdict = check(changed);
    if (verdict.score < MIN_SCORE) flagged.numbers++;
    if (verdict.sentences.some((sentence) => sentence.support === "unsupported")) caught.numbers++;
  }
  const planted = check(`${extracted.answer} ${item.elsewhere}`);
  if (planted.score < MIN_SCORE) flagged.planted++;
  if (planted.sentences.at(-1)!.support === "unsupported") caught.planted++;
}

const percent = (part: number, whole: number) => `${((100 * part) / Math.max(1, whole)).toFixed(1)} %`;
console.log(`questions ${sample.length}, answered extractively ${answered}`);
console.log(`flagged (score < ${MIN_SCORE}): quoted answers ${percent(flagged.quoted, answered)} (false flags)`);
console.log(
  `numbers changed (+1) in ${withNumbers} answers: a sentence found unsupported ${percent(caught.numbers, withNumbers)}, answer flagged ${percent(flagged.numbers, withNumbers)}`,
);
console.log(
  `one off-topic sentence (cited [1]) appended: that sentence found unsupported ${percent(caught.planted, answered)}, answer flagged ${percent(flagged.planted, answered)} (n sentences with one unsupported score (n-1)/n)`,
);
console.log(
  `time: judge ${((judgeMs * 1000) / answered).toFixed(0)} µs/answer, extractive answerer ${((extractiveMs * 1000) / sample.length).toFixed(0)} µs/question, ratio ${(judgeMs / answered / (extractiveMs / sample.length)).toFixed(2)}`,
);
