import { AppError } from "../core/errors.js";
import { decideExpansion, type ExpansionMode, type ExpansionReason } from "../core/ranking/expansion-gate.js";
import type { WeightedTerm } from "../core/ranking/lexical-query.js";
import { expandWithRm3, type Rm3Settings } from "../core/ranking/query-expansion.js";
import type { CandidateLists, CandidatesRequest, LexicalCandidate, VectorStore } from "../ports/vector-store.js";
import { noopTracer, type Tracer } from "../ports/tracer.js";

/** Config `retrieval.expansion`: when to expand (mode) and how (RM3). */
export interface QueryExpansionSettings extends Rm3Settings {
  mode: ExpansionMode;
}

/** One term of the lexical query that was fused, and whether the question itself holds it. */
export interface ExplainedTerm extends WeightedTerm {
  fromQuestion: boolean;
}

/** What expansion did for one query (for `explain`). */
export interface QueryExpansion {
  mode: ExpansionMode;
  /** True when the fused lexical list comes from the expanded query. */
  applied: boolean;
  /** The gate's reason, or `second_pass_failed` when the store failed the expanded pass (the first pass is used). */
  reason: ExpansionReason | "second_pass_failed";
  /** The lexical query of the fused lexical list: the expanded terms when applied, else the question's own. */
  terms: ExplainedTerm[];
  /** The first lexical pass (the feedback), when the expanded pass replaced it. */
  firstLexical: LexicalCandidate[] | null;
}

/**
 * The store's candidate lists for one query, with RM3 expansion when `settings` say so: a first
 * `candidates` call; then, when the gate (core/ranking decideExpansion) fires, a second call with the
 * question's terms expanded by the first lexical list's best candidates (core/ranking expandWithRm3).
 * The result keeps the first call's dense list (the query vector is the same) and the second call's
 * lexical list. Costs one more `candidates` call per expanded query (the port has no lexical-only
 * call, so the engine repeats its dense search), plus term analysis of the feedback chunks.
 * A transient store failure on the second call keeps the first lists (expansion is an improvement,
 * never a reason to lose retrieval); any other error propagates. The second pass runs in a span
 * `retrieval.expansion` (terms added) when `tracer` traces.
 */
export async function candidatesWithExpansion(
  store: VectorStore,
  request: CandidatesRequest,
  settings: QueryExpansionSettings | undefined,
  tracer: Tracer = noopTracer,
): Promise<{ lists: CandidateLists; expansion: QueryExpansion }> {
  const first = await store.candidates(request);
  const mode = settings?.mode ?? "off";
  const questionTerms = [...(request.lexicalTerms ?? [])];
  const decision = decideExpansion(mode, questionTerms, first.lexical.length);
  const unexpanded = (reason: QueryExpansion["reason"]) => ({
    lists: first,
    expansion: { mode, applied: false, reason, terms: explainTerms(questionTerms, questionTerms), firstLexical: null },
  });
  if (!decision.expand || !settings) return unexpanded(decision.reason);

  const expanded = expandWithRm3(questionTerms, first.lexical, settings);
  let second: CandidateLists;
  try {
    const spanAttributes = { "ragline.expansion.terms": expanded.length, "ragline.expansion.question_terms": questionTerms.length };
    second = await tracer.span("retrieval.expansion", spanAttributes, () => store.candidates({ ...request, lexicalTerms: expanded }));
  } catch (error) {
    if (error instanceof AppError && !error.transient) throw error;
    return unexpanded("second_pass_failed");
  }
  return {
    lists: { dense: first.dense, lexical: second.lexical },
    expansion: { mode, applied: true, reason: decision.reason, terms: explainTerms(expanded, questionTerms), firstLexical: first.lexical },
  };
}

function explainTerms(terms: readonly WeightedTerm[], questionTerms: readonly WeightedTerm[]): ExplainedTerm[] {
  const own = new Set(questionTerms.map((term) => term.term));
  return terms.map(({ term, weight }) => ({ term, weight, fromQuestion: own.has(term) }));
}
