import type { Table } from "@lancedb/lancedb";
import { searchLexicalAddresses, type CandidateQueryOptions, type DenseCandidates } from "./lancedb-candidates.js";
import { fuseAndThreshold, lexicalQueryText, toSearchResult } from "./lancedb-hybrid-fusion.js";
import type { LanceDbMemoryMirror } from "./lancedb-memory-mirror.js";
import { prepareQuery } from "./vector-columns.js";
import type { SearchRequest, SearchResult } from "../../../ports/vector-store.js";

export interface MirrorSearchOptions extends CandidateQueryOptions {
  /** Whether the table has a full-text index on `text` (else the lexical side is skipped). */
  hasFullTextIndex: boolean;
  rrfK: number;
  /** Runs an engine query (the store passes it through its search gate). */
  runEngineQuery: <T>(query: () => Promise<T>) => Promise<T>;
  /**
   * Dense candidates from the engine's ANN index, when the table has one: past the size where an index
   * pays off, a brute-force scan in JS is slower than the index, so only hydration and the lexical-only
   * candidates' similarities come from the mirror. Absent → exact scan of the mirror.
   */
  engineDense?: (query: Float32Array) => Promise<DenseCandidates>;
}

const NO_CANDIDATES = { ids: [], scores: new Float64Array(0) };

/**
 * Hybrid search with the same semantics as runHybridSearch, but the dense side and hydration come from
 * the in-process mirror: exact cosine over the tenant's (filtered) rows in JS (or the engine's ANN index,
 * see `engineDense`), and text/metadata from memory; the lexical side (BM25) is asked of LanceDB for
 * row addresses and scores only, and the mirror's address map names the rows. The full-text query starts first so the engine works on it while the dense scan runs
 * on this thread.
 *
 * A lexical candidate the mirror does not hold (deleted, or committed and not yet applied) is left out:
 * the mirror decides which rows exist. Hits are hydrated from the mirror as it is once the full-text
 * query returned; a candidate deleted meanwhile is left out.
 */
export async function runMirrorSearch(table: Table, mirror: LanceDbMemoryMirror, request: SearchRequest, options: MirrorSearchOptions): Promise<SearchResult> {
  // Rounded to float32 first, as the engine compares it, then widened for the JS loop.
  const query32 = Float32Array.from(request.dense);
  const query = prepareQuery(query32);
  const lexicalText = lexicalQueryText(request);
  const lexicalQuery =
    lexicalText && options.hasFullTextIndex
      ? options.runEngineQuery(() => lexicalCandidates(table, mirror, lexicalText, request.candidateK, lexicalOptions(mirror, request, options)))
      : undefined;
  const engineDense = options.engineDense;
  const denseList = engineDense
    ? await options.runEngineQuery(() => engineDense(query32))
    : mirror.searchDense(request.tenant, request.filter, query, request.candidateK);
  const lexicalList = lexicalQuery ? await lexicalQuery : NO_CANDIDATES;

  const denseIds: string[] = [];
  const denseById = new Map<string, number>();
  denseList.ids.forEach((id, index) => {
    // The engine may list a row the mirror has not applied yet, or has deleted since: the mirror decides.
    if (engineDense && !mirror.has(request.tenant, id, request.filter)) return;
    denseIds.push(id);
    denseById.set(id, denseList.similarities[index]!);
  });
  const textById = new Map<string, number>();
  lexicalList.ids.forEach((id, index) => {
    if (id === undefined || textById.has(id)) return;
    if (!denseById.has(id)) {
      const similarity = mirror.has(request.tenant, id, request.filter) ? mirror.similarity(request.tenant, id, query) : undefined;
      if (similarity === undefined) return;
      denseById.set(id, similarity);
    }
    textById.set(id, lexicalList.scores[index]!);
  });

  const selected = fuseAndThreshold({ denseIds, denseById, textById }, request, options.rrfK);
  return toSearchResult(request.tenant, selected, (id) => mirror.chunk(request.tenant, id, request.filter));
}

/**
 * The full-text query's options. While the table holds rows of this tenant only and the request has no
 * filter, the tenant predicate would select every row, and evaluating it costs about a third of the
 * query (0.34 of 1.23 ms of CPU measured on 2,094 chunks), so it is left out. A row of another tenant
 * committed meanwhile and not yet in the mirror may then take a candidate place; it is dropped below
 * (the mirror decides which rows are this tenant's), which at worst shortens that one lexical list.
 */
function lexicalOptions(mirror: LanceDbMemoryMirror, request: SearchRequest, options: CandidateQueryOptions): CandidateQueryOptions {
  return !request.filter && mirror.holdsOnlyTenant(request.tenant) ? { ...options, predicate: "" } : options;
}

/** BM25 candidates of `text` as ids (undefined where the address is gone) and scores, best first; never throws. */
async function lexicalCandidates(
  table: Table,
  mirror: LanceDbMemoryMirror,
  text: string,
  limit: number,
  options: CandidateQueryOptions,
): Promise<{ ids: Array<string | undefined>; scores: Float64Array }> {
  const found = await searchLexicalAddresses(table, text, limit, options);
  if (found.rowIds.length === 0) return NO_CANDIDATES;
  try {
    return { ids: await mirror.addresses.resolve(table, found.rowIds, options.timeoutMs), scores: found.scores };
  } catch (error) {
    options.onLexicalFailure(error);
    return NO_CANDIDATES;
  }
}
