import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, Index } from "@lancedb/lancedb";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIN_RELEVANCE_DEFAULT } from "../../src/core/ranking/rank-candidates.js";
import { TERMS_INDEX_OPTIONS } from "../../src/adapters/vector-store/lancedb/lancedb-maintenance.js";
import { TERMS_COLUMN } from "../../src/adapters/vector-store/lancedb/lancedb-schema.js";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

// Guards the ranking through refactors: the top 10 of a fixed set of questions over a fixed corpus
// (SQuAD dev and NFCorpus slices from ../shared/data) must keep their chunk ids, order and scores.
// BM25 statistics depend on how the full-text index absorbed the (concurrent) writes, so after the
// ingest the index is rebuilt once over the final rows and the service restarted on the same data.
// Regenerate deliberately with UPDATE_RANKING_FIXTURE=1 when a ranking change is intended.

const FIXTURE_PATH = fileURLToPath(new URL("../fixtures/ranking-top10.json", import.meta.url));
const SQUAD_PATH = fileURLToPath(new URL("../../../shared/data/squad/dev-v1.1.json", import.meta.url));
const NFCORPUS_DIR = fileURLToPath(new URL("../../../shared/data/nfcorpus/", import.meta.url));
const SCORE_TOLERANCE = 1e-6;

interface RankedHit {
  chunk_id: string;
  document_id: string;
  scores: { dense: number; text: number | null; fused: number; relevance: number; dense_rank: number | null; text_rank: number | null };
}
interface FixtureQuery {
  question: string;
  min_score: number;
  hits: RankedHit[];
  cut: RankedHit[];
}

function corpus(): { documents: Array<{ id: string; title: string; text: string }>; questions: string[] } {
  const squad = JSON.parse(readFileSync(SQUAD_PATH, "utf8")) as {
    data: Array<{ title: string; paragraphs: Array<{ context: string; qas: Array<{ question: string }> }> }>;
  };
  const documents: Array<{ id: string; title: string; text: string }> = [];
  const questions: string[] = [];
  squad.data.slice(0, 8).forEach((article, articleIndex) =>
    article.paragraphs.slice(0, 20).forEach((paragraph, paragraphIndex) => {
      documents.push({ id: `squad-${articleIndex}-${paragraphIndex}`, title: article.title, text: paragraph.context });
      if (paragraphIndex % 7 === 0) questions.push(paragraph.qas[0]!.question);
    }),
  );
  const lines = (name: string) =>
    readFileSync(NFCORPUS_DIR + name, "utf8")
      .split("\n")
      .filter(Boolean);
  for (const line of lines("corpus.jsonl").slice(0, 120)) {
    const row = JSON.parse(line) as { _id: string; title: string; text: string };
    documents.push({ id: `nf-${row._id}`, title: row.title, text: `${row.title}\n\n${row.text}` });
  }
  for (const line of lines("queries.jsonl").slice(0, 12)) questions.push((JSON.parse(line) as { text: string }).text);
  questions.push("Who won the 2018 FIFA World Cup?", "How do I configure a reverse proxy in nginx?");
  return { documents, questions };
}

const pick = (hit: RankedHit): RankedHit => ({
  chunk_id: hit.chunk_id,
  document_id: hit.document_id,
  scores: {
    dense: hit.scores.dense,
    text: hit.scores.text,
    fused: hit.scores.fused,
    relevance: hit.scores.relevance,
    dense_rank: hit.scores.dense_rank,
    text_rank: hit.scores.text_rank,
  },
});

describe("ranking on the embedded store stays as recorded", () => {
  let test: TestRuntime;
  const { documents, questions } = corpus();
  const dataDir = mkdtempSync(join(tmpdir(), "ragline-ranking-"));
  // One ingest job at a time: rows land in upload order, so BM25 ties keep one order run to run.
  const overrides = { retrieval: { maxTopK: 10 }, ingest: { concurrency: 1 } };

  beforeAll(async () => {
    test = await startTestRuntime(overrides, { dataDir });
    for (const document of documents) {
      const response = await test.app.request(`/v1/documents/${document.id}`, jsonRequest("PUT", { text: document.text, title: document.title }));
      expect(response.status).toBeLessThan(300);
    }
    await waitFor(
      async () => {
        const statuses = await Promise.all(
          documents.map(async (document) => ((await (await test.app.request(`/v1/documents/${document.id}`)).json()) as { status: string }).status),
        );
        return statuses.every((status) => status === "indexed");
      },
      "every document indexed",
      120_000,
      200,
    );
    await test.close();
    const connection = await connect(join(dataDir, "lancedb"));
    const table = await connection.openTable("chunks");
    await table.createIndex(TERMS_COLUMN, { config: Index.fts(TERMS_INDEX_OPTIONS), replace: true });
    table.close();
    connection.close();
    test = await startTestRuntime(overrides, { dataDir });
  }, 180_000);
  afterAll(async () => {
    await test?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("returns the recorded top 10 (ids, order, scores within 1e-6) and cut list for every question", async () => {
    const observed: FixtureQuery[] = [];
    for (const question of questions) {
      for (const minScore of [0, MIN_RELEVANCE_DEFAULT]) {
        const response = await test.app.request(
          "/v1/query",
          jsonRequest("POST", { question, mode: "retrieve", top_k: 10, min_score: minScore, explain: true }),
        );
        expect(response.status).toBe(200);
        const body = (await response.json()) as { retrieval: { hits: RankedHit[]; cut?: RankedHit[] } };
        observed.push({ question, min_score: minScore, hits: body.retrieval.hits.map(pick), cut: (body.retrieval.cut ?? []).slice(0, 10).map(pick) });
      }
    }
    if (process.env.UPDATE_RANKING_FIXTURE === "1" || !existsSync(FIXTURE_PATH)) {
      if (process.env.CI) throw new Error(`ranking fixture missing at ${FIXTURE_PATH}`);
      writeFileSync(FIXTURE_PATH, `${JSON.stringify(observed, null, 1)}\n`);
    }
    const expected = JSON.parse(readFileSync(FIXTURE_PATH, "utf8")) as FixtureQuery[];
    expect(observed.length).toBe(expected.length);
    expect(observed.some((query) => query.hits.length === 10)).toBe(true);
    observed.forEach((query, index) => {
      const recorded = expected[index]!;
      expect(query.question).toBe(recorded.question);
      for (const list of ["hits", "cut"] as const) {
        expect(
          query[list].map((hit) => hit.chunk_id),
          `${list} of "${query.question}" at min_score ${query.min_score}`,
        ).toEqual(recorded[list].map((hit) => hit.chunk_id));
        query[list].forEach((hit, position) => {
          const want = recorded[list][position]!;
          expect(hit.document_id).toBe(want.document_id);
          expect(hit.scores.dense_rank).toBe(want.scores.dense_rank);
          expect(hit.scores.text_rank).toBe(want.scores.text_rank);
          for (const key of ["dense", "text", "fused", "relevance"] as const) {
            const got = hit.scores[key];
            const wanted = want.scores[key];
            if (wanted === null) expect(got).toBeNull();
            else expect(Math.abs((got as number) - wanted), `${key} score of ${hit.chunk_id}`).toBeLessThanOrEqual(SCORE_TOLERANCE);
          }
        });
      }
    });
  }, 120_000);
});
