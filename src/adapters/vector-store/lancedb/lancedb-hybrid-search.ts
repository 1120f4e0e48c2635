import type { Table } from "@lancedb/lancedb";
import { NO_LEXICAL_CANDIDATES, searchDense, searchLexical, type CandidateQueryOptions } from "./lancedb-candidates.js";
import { cosineSimilarity, vectorNorm } from "../../../core/ranking/cosine-similarity.js";
import { callEngine } from "./lancedb-errors.js";
import { sqlStringLiteral } from "./lancedb-filter.js";
import { fuseAndThreshold, lexicalQueryText, toSearchResult } from "./lancedb-hybrid-fusion.js";
import { chunkMetadataFromRow, PAYLOAD_COLUMNS } from "./lancedb-schema.js";
import type { SearchRequest, SearchResult } from "../../../ports/vector-store.js";

export interface HybridSearchOptions extends CandidateQueryOptions {
  /** Whether the table has a full-text index on `text` (else the lexical side is skipped). */
  hasFullTextIndex: boolean;
  rrfK: number;
}

/**
 * Hybrid search on a chunks table: dense (cosine) and lexical (BM25) candidate lists of at most
 * `candidateK` each, both pre-filtered by `options.predicate`. Every candidate gets its exact dense
 * cosine similarity (the engine's exact distance for dense candidates, the stored vector for
 * lexical-only ones), so all are thresholded on the same absolute scale; candidates with
 * dense >= minScore are fused by RRF over their ranks in the two lists and returned best fused first
 * (at most topK); the rest go to `cut`, best dense first (at most candidateK).
 *
 * Candidate queries read only ids, row addresses and scores (plus vectors on the lexical side); text
 * and metadata are read afterwards, by row address, for the returned hits and cut only. A candidate
 * deleted between the two reads is left out.
 */
export async function runHybridSearch(table: Table, request: SearchRequest, options: HybridSearchOptions): Promise<SearchResult> {
  const query = Float32Array.from(request.dense);
  const lexicalText = lexicalQueryText(request);

  const [denseList, lexicalList] = await Promise.all([
    searchDense(table, query, request.candidateK, options),
    lexicalText && options.hasFullTextIndex ? searchLexical(table, lexicalText, request.candidateK, options) : NO_LEXICAL_CANDIDATES,
  ]);

  const denseById = new Map<string, number>();
  const rowIdById = new Map<string, bigint>();
  denseList.ids.forEach((id, index) => {
    denseById.set(id, denseList.similarities[index]!);
    rowIdById.set(id, denseList.rowIds[index]!);
  });
  const textById = new Map<string, number>();
  let queryNorm = -1;
  lexicalList.ids.forEach((id, index) => {
    if (textById.has(id)) return;
    textById.set(id, lexicalList.scores[index]!);
    if (!rowIdById.has(id)) rowIdById.set(id, lexicalList.rowIds[index]!);
    if (denseById.has(id)) return;
    if (queryNorm < 0) queryNorm = vectorNorm(query);
    denseById.set(id, cosineSimilarity(query, queryNorm, lexicalList.vectorAt(index)));
  });

  const selected = fuseAndThreshold({ denseIds: denseList.ids, denseById, textById }, request, options.rrfK);
  const selectedIds = [...selected.hits, ...selected.cut].map((entry) => entry.id);
  const rows = await readPayloads(table, request.tenant, selectedIds, rowIdById, options);
  return toSearchResult(request.tenant, selected, (id) => {
    const row = rows.get(id);
    return row ? { text: String(row.text), metadata: chunkMetadataFromRow(row) } : undefined;
  });
}

/**
 * Text and metadata of the given chunks of `tenant` (no vectors), by id. Reads them by row address
 * (no id lookup); a row updated, deleted or compacted away since the candidate queries has left its
 * address, and is looked up by id instead. Only rows whose id and tenant match are used.
 */
async function readPayloads(
  table: Table,
  tenant: string,
  ids: string[],
  rowIdById: Map<string, bigint>,
  options: HybridSearchOptions,
): Promise<Map<string, Record<string, unknown>>> {
  const rows = new Map<string, Record<string, unknown>>();
  if (ids.length === 0) return rows;
  const wanted = new Set(ids);
  const keep = (found: Array<Record<string, unknown>>) => {
    for (const row of found) {
      const id = String(row.id);
      if (wanted.has(id) && row.tenant === tenant) rows.set(id, row);
    }
  };
  keep(
    await callEngine("read chunks", () =>
      table
        .takeRowIds(ids.map((id) => rowIdById.get(id)!))
        .select([...PAYLOAD_COLUMNS])
        .toArray({ timeoutMs: options.timeoutMs }),
    ),
  );
  const missing = ids.filter((id) => !rows.has(id));
  if (missing.length === 0) return rows;
  // Ids come from the engine; quoting them keeps any stored id from reading as SQL.
  const predicate = `${options.predicate} AND id IN (${missing.map(sqlStringLiteral).join(", ")})`;
  keep(
    await callEngine("read chunks", () =>
      table
        .query()
        .where(predicate)
        .select([...PAYLOAD_COLUMNS])
        .limit(missing.length)
        .toArray({ timeoutMs: options.timeoutMs }),
    ),
  );
  return rows;
}
