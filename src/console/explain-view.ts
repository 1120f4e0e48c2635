import type { ExplainJson, ExplainedCandidateJson, RetrievalJson } from "./api-types.js";
import { el, formatNumber, table, type Column } from "./dom.js";

type FusedRow = ExplainJson["fused"][number];
type RerankedRow = NonNullable<ExplainJson["reranked"]>[number];

const short = (id: string) => (id.length > 12 ? `${id.slice(0, 12)}…` : id);

/** The chunk id, shortened, with the whole id as its title. */
const chunkColumn = <Row extends { chunk_id: string }>(): Column<Row> => ({
  header: "Chunk",
  cell: (row) => el("code", { title: row.chunk_id }, [short(row.chunk_id)]),
});

/** "kept", or why the candidate was cut. */
const keptColumn = <Row extends { kept: boolean; reason: string | null }>(): Column<Row> => ({
  header: "Kept",
  cell: (row) => (row.kept ? "kept" : (row.reason ?? "cut")),
});

const candidateColumns: Column<ExplainedCandidateJson>[] = [
  { header: "Rank", cell: (candidate) => String(candidate.rank) },
  chunkColumn(),
  { header: "Document", cell: (candidate) => candidate.document_id },
  { header: "Raw score", cell: (candidate) => formatNumber(candidate.score, 4) },
];

/** A `<dl>` of label/value pairs (values as text). */
function facts(pairs: [string, string][]): HTMLElement {
  return el(
    "dl",
    { class: "facts" },
    pairs.flatMap(([term, value]) => [el("dt", {}, [term]), el("dd", {}, [value])]),
  );
}

/**
 * The retrieval stages of one query: the thresholds and fusion settings in force, the rerank report,
 * and with `explain` each retriever's candidates (raw cosine / BM25), the query expansion, every
 * candidate in fused order with its relevance parts and why it was cut, and the reranked order.
 */
export function explainView(retrieval: RetrievalJson): HTMLElement {
  const thresholds = retrieval.thresholds;
  const parts: HTMLElement[] = [
    el("h4", {}, ["Thresholds"]),
    facts([
      ["status", retrieval.status + (retrieval.reason ? ` (${retrieval.reason})` : "")],
      ["top_k", String(thresholds.top_k)],
      ["candidate_k", String(thresholds.candidate_k)],
      ["min_score", `${formatNumber(thresholds.min_score)} on ${thresholds.min_score_applies_to}`],
      [
        "fusion",
        `${thresholds.fusion.method}, weights dense ${formatNumber(thresholds.fusion.weights.dense)} / lexical ${formatNumber(thresholds.fusion.weights.lexical)}, rrf_k ${formatNumber(thresholds.fusion.rrf_k)}`,
      ],
      ["hits", String(retrieval.hits.length)],
      ["cut by the threshold", retrieval.cut ? String(retrieval.cut.length) : "—"],
    ]),
  ];
  if (retrieval.rerank) {
    const rerank = retrieval.rerank;
    parts.push(
      el("h4", {}, ["Rerank"]),
      facts([
        ["status", rerank.status + (rerank.reason ? ` (${rerank.reason})` : "")],
        ["model", rerank.model],
        ["candidates", String(rerank.candidates)],
        ["min_score", formatNumber(rerank.min_score)],
      ]),
    );
  }
  const explain = retrieval.explain;
  if (!explain) {
    parts.push(el("p", { class: "empty" }, ["Tick “explain” to see every stage."]));
    return el("div", { class: "explain" }, parts);
  }
  const expansion = explain.expansion;
  parts.push(
    el("h4", {}, ["Query expansion"]),
    facts([
      ["mode", expansion.mode],
      ["applied", expansion.applied ? "yes" : "no"],
      ["reason", expansion.reason],
      ["terms", expansion.terms.map((term) => `${term.term} ${formatNumber(term.weight, 2)}${term.from_question ? "" : " (feedback)"}`).join(", ") || "—"],
    ]),
    el("h4", {}, ["Dense candidates (cosine)"]),
    table("Dense retriever", candidateColumns, explain.dense),
    el("h4", {}, ["Lexical candidates (BM25)"]),
    table("Lexical retriever", candidateColumns, explain.lexical),
    el("h4", {}, ["Fused order"]),
    table<FusedRow>(
      "Every candidate in fused order",
      [
        chunkColumn(),
        { header: "Document", cell: (row) => row.document_id },
        { header: "Fused", cell: (row) => formatNumber(row.fused, 4) },
        { header: "Relevance", cell: (row) => formatNumber(row.relevance) },
        { header: "Coverage", cell: (row) => formatNumber(row.relevance_parts?.coverage) },
        { header: "Dense", cell: (row) => formatNumber(row.relevance_parts?.dense) },
        { header: "Anchors", cell: (row) => formatNumber(row.relevance_parts?.anchors) },
        { header: "Dense rank", cell: (row) => formatNumber(row.dense_rank) },
        { header: "Text rank", cell: (row) => formatNumber(row.text_rank) },
        keptColumn(),
      ],
      explain.fused,
    ),
  );
  if (explain.reranked) {
    parts.push(
      el("h4", {}, ["Reranked order"]),
      table<RerankedRow>(
        "Candidates sent to the reranker",
        [
          chunkColumn(),
          { header: "Rerank score", cell: (row) => formatNumber(row.rerank, 4) },
          { header: "Fused rank", cell: (row) => String(row.fused_rank) },
          keptColumn(),
        ],
        explain.reranked,
      ),
    );
  }
  return el("div", { class: "explain" }, parts);
}
