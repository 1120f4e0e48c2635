import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { seededRandom } from "../lib/seeded-random.js";

/** ../shared/data beside the project root: SQuAD dev and NFCorpus (never copied into the repo). */
export const SHARED_DATA_DIR = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
export const SQUAD_DEV_PATH = join(SHARED_DATA_DIR, "squad", "dev-v1.1.json");
export const NFCORPUS_DIR = join(SHARED_DATA_DIR, "nfcorpus");

export interface EvalDocument {
  id: string;
  title: string;
  text: string;
}

export interface EvalQuery {
  id: string;
  text: string;
  /** Document id → graded relevance; only queries with at least one grade > 0 are kept. */
  judgements: Map<string, number>;
  /** Gold answer spans (SQuAD); absent for sets without answers. */
  answers?: string[];
}

export interface EvalSet {
  name: string;
  documents: EvalDocument[];
  queries: EvalQuery[];
  /** Which off-topic questions (eval/data/off-topic.jsonl `set`) this corpus cannot answer; null for other sets. */
  offTopicSet: "squad" | "nfcorpus" | null;
}

const readJsonLines = async <T>(path: string): Promise<T[]> =>
  (await readFile(path, "utf8"))
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);

/** Reads `query-id<TAB>corpus-id<TAB>score` with a header line (or TREC's four columns `qid iter docid rel`). */
async function readQrels(path: string): Promise<Map<string, Map<string, number>>> {
  const qrels = new Map<string, Map<string, number>>();
  const lines = (await readFile(path, "utf8")).split("\n").filter((line) => line.trim() !== "");
  for (const [index, line] of lines.entries()) {
    const fields = line.trim().split(/\s+/);
    const [queryId, documentId, grade] = fields.length >= 4 ? [fields[0], fields[2], fields[3]] : fields;
    if (index === 0 && !Number.isFinite(Number(grade))) continue;
    if (queryId === undefined || documentId === undefined || !Number.isFinite(Number(grade))) throw new Error(`${path}:${index + 1}: malformed qrels line`);
    const judgements = qrels.get(queryId) ?? new Map<string, number>();
    judgements.set(documentId, Number(grade));
    qrels.set(queryId, judgements);
  }
  return qrels;
}

/**
 * A BEIR-layout directory: `corpus.jsonl` ({_id, title, text}), `queries.jsonl` ({_id, text}) and
 * `qrels.tsv` or `qrels/test.tsv`. Queries without a relevant judgement (grade > 0) are left out.
 * An optional `answers` array on a query line is kept as its gold spans.
 */
export async function loadBeirDirectory(directory: string, name = basename(resolve(directory))): Promise<EvalSet> {
  const qrelsPath = [join(directory, "qrels.tsv"), join(directory, "qrels", "test.tsv")].find((path) => existsSync(path));
  if (!qrelsPath) throw new Error(`${directory}: neither qrels.tsv nor qrels/test.tsv exists`);
  const qrels = await readQrels(qrelsPath);
  const documents = (await readJsonLines<{ _id: string; title?: string; text: string }>(join(directory, "corpus.jsonl"))).map((row) => ({
    id: String(row._id),
    title: row.title ?? "",
    text: row.text,
  }));
  const queries = (await readJsonLines<{ _id: string; text: string; answers?: string[] }>(join(directory, "queries.jsonl")))
    .map((row) => ({ id: String(row._id), text: row.text, judgements: qrels.get(String(row._id)) ?? new Map<string, number>(), answers: row.answers }))
    .filter((query) => [...query.judgements.values()].some((grade) => grade > 0));
  return { name, documents, queries, offTopicSet: name === "nfcorpus" ? "nfcorpus" : null };
}

interface SquadFile {
  data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ id: string; question: string; answers: Array<{ text: string }> }> }> }>;
}

/** SQuAD v1.1 as a BEIR set: each paragraph a document (`squad-<article>-<paragraph>`), each question judged relevant (1) to its paragraph, gold spans kept. */
export async function loadSquad(path = SQUAD_DEV_PATH): Promise<EvalSet> {
  const file = JSON.parse(await readFile(path, "utf8")) as SquadFile;
  const documents: EvalDocument[] = [];
  const queries: EvalQuery[] = [];
  file.data.forEach((article, articleIndex) =>
    article.paragraphs.forEach((paragraph, paragraphIndex) => {
      const id = `squad-${articleIndex}-${paragraphIndex}`;
      documents.push({ id, title: article.title.replace(/_/g, " "), text: paragraph.context });
      for (const qa of paragraph.qas) {
        queries.push({ id: qa.id, text: qa.question.trim(), judgements: new Map([[id, 1]]), answers: qa.answers.map((answer) => answer.text) });
      }
    }),
  );
  return { name: "squad", documents, queries, offTopicSet: "squad" };
}

/** `squad`, `nfcorpus` (../shared/data) or a path to a BEIR-layout directory. */
export function loadSet(spec: string): Promise<EvalSet> {
  if (spec === "squad") return loadSquad();
  if (spec === "nfcorpus") return loadBeirDirectory(NFCORPUS_DIR, "nfcorpus");
  return loadBeirDirectory(spec);
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

export const DEFAULT_SAMPLE_SEED = 20261127;

/**
 * A deterministic slice: `limitQueries` queries drawn by a seeded shuffle; then every document judged
 * for a kept query (whatever its grade) plus documents drawn by a seeded shuffle until `limitDocs`
 * (the judged ones are kept even when they alone exceed it). Order of the corpus is preserved.
 */
export function sampleSet(set: EvalSet, options: { limitQueries?: number; limitDocs?: number; seed?: number }): EvalSet {
  const random = seededRandom(options.seed ?? DEFAULT_SAMPLE_SEED);
  const queries = options.limitQueries === undefined ? set.queries : shuffled(set.queries, random).slice(0, options.limitQueries);
  if (options.limitDocs === undefined) return { ...set, queries };
  const keep = new Set(queries.flatMap((query) => [...query.judgements.keys()]));
  for (const document of shuffled(set.documents, random)) {
    if (keep.size >= options.limitDocs) break;
    keep.add(document.id);
  }
  return { ...set, queries, documents: set.documents.filter((document) => keep.has(document.id)) };
}

export interface OffTopicQuestion {
  id: string;
  text: string;
  kind: "unrelated" | "near-miss";
  set: "squad" | "nfcorpus" | "squad+nfcorpus";
}

export const OFF_TOPIC_PATH = fileURLToPath(new URL("../../eval/data/off-topic.jsonl", import.meta.url));

/** The committed off-topic questions that `set` cannot answer (its `set` field names it). */
export async function loadOffTopicQuestions(set: EvalSet): Promise<OffTopicQuestion[]> {
  if (set.offTopicSet === null) return [];
  const rows = await readJsonLines<OffTopicQuestion>(OFF_TOPIC_PATH);
  return rows.filter((row) => row.set.split("+").includes(set.offTopicSet!));
}
