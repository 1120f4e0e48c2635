import { loadBeirDirectory, NFCORPUS_DIR } from "../eval/eval-sets.js";
import type { BulkDocument } from "./bulk-ingest.js";
import { loadSquadParagraphs } from "./squad.js";

export interface ScaleCorpus {
  /** Enough documents for about `chunks` chunks: copies of the base paragraphs, each copy with a prefix of its own. */
  documents: BulkDocument[];
  /** SQuAD questions with the base paragraph id they were asked about (any copy of it answers). */
  questions: Array<{ question: string; baseId: string }>;
  copies: number;
}

/** The base paragraph id of a scale document id `c<copy>-<base id>`. */
export function baseIdOf(documentId: string): string {
  return documentId.replace(/^c\d+-/, "");
}

/**
 * A realistic corpus of any size from real text: the SQuAD dev paragraphs (2,067) and the NFCorpus
 * abstracts (3,633), repeated as many times as `chunks` needs. Every copy starts with a prefix of its
 * own ("Archive copy 17.") so no two documents have the same content (no deduplication, no
 * embedding-cache hit) while term statistics stay those of the real text; one abstract may make
 * more than one chunk, so the corpus is cut at `chunks` documents and the chunk count is read from
 * the service.
 */
export async function buildScaleCorpus(chunks: number, questionCount: number): Promise<ScaleCorpus> {
  const squad = await loadSquadParagraphs();
  const nfcorpus = await loadBeirDirectory(NFCORPUS_DIR, "nfcorpus");
  const base = [
    ...squad.map((paragraph) => ({ id: paragraph.id, title: paragraph.title, text: paragraph.context })),
    ...nfcorpus.documents.map((document) => ({ id: `nf-${document.id}`, title: document.title, text: document.text })),
  ];
  const copies = Math.ceil(chunks / base.length);
  const documents: BulkDocument[] = [];
  for (let copy = 0; copy < copies && documents.length < chunks; copy += 1) {
    for (const paragraph of base) {
      if (documents.length >= chunks) break;
      documents.push({ id: `c${copy}-${paragraph.id}`, title: paragraph.title, text: `Archive copy ${copy}. ${paragraph.text}` });
    }
  }
  const asked = squad.flatMap((paragraph) => paragraph.questions.map((qa) => ({ question: qa.question, baseId: paragraph.id })));
  const stride = Math.max(1, Math.floor(asked.length / questionCount));
  const questions = asked.filter((_, index) => index % stride === 0).slice(0, questionCount);
  return { documents, questions, copies };
}
