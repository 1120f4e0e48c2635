import { firstOccurrences, retrievalMetrics, type RetrievalMetrics } from "../../../src/core/eval/retrieval-metrics.js";
import type { EvalDocument, EvalQuery } from "../eval-sets.js";
import { buildLanceDbPeers } from "./lancedb-peers.js";
import { buildLangChainPeer } from "./langchain-peer.js";
import type { PeerIndexBuilder } from "./peer-types.js";

/** Peer indexes `npm run eval` builds by default, in row order. */
export const PEER_BUILDERS: Record<string, PeerIndexBuilder> = {
  lancedb: buildLanceDbPeers,
  langchain: buildLangChainPeer,
};

export interface PeerResult {
  /** Row label, e.g. `peer: lancedb-bm25`. */
  peer: string;
  ranking: string;
  description: string;
  metrics: RetrievalMetrics;
  queries: number;
  /** Building the index this peer reads (shared by the peers of one index, so counted once per index). */
  buildSeconds: number;
  /** Every query, one at a time. */
  querySeconds: number;
}

export interface RunPeersOptions {
  /** Documents each peer returns per query (the harness's ranking depth, 100). */
  depth: number;
  /** Keys of PEER_BUILDERS; all of them by default. */
  peers?: readonly string[];
  builders?: Record<string, PeerIndexBuilder>;
  log?: (line: string) => void;
}

function mean(values: readonly RetrievalMetrics[]): RetrievalMetrics {
  const of = (key: keyof RetrievalMetrics) => values.reduce((total, value) => total + value[key], 0) / Math.max(1, values.length);
  return { ndcgAt10: of("ndcgAt10"), recallAt10: of("recallAt10"), recallAt100: of("recallAt100"), mrrAt10: of("mrrAt10") };
}

/**
 * Every peer over the same documents and queries as the service's rows: each builds its own index
 * outside Ragline, answers every query (sequentially) with its top `depth` documents, and is scored
 * with the same metric functions (src/core/eval) as the service's rows.
 */
export async function runPeers(documents: readonly EvalDocument[], queries: readonly EvalQuery[], options: RunPeersOptions): Promise<PeerResult[]> {
  const builders = options.builders ?? PEER_BUILDERS;
  const names = options.peers ?? Object.keys(builders);
  const log = options.log ?? (() => {});
  const results: PeerResult[] = [];
  for (const name of names) {
    const build = builders[name];
    if (!build) throw new Error(`unknown peer "${name}"; known: ${Object.keys(builders).join(", ")}`);
    const index = await build(documents);
    try {
      log(`  peers ${name}: index of ${documents.length} documents built in ${index.buildSeconds.toFixed(1)} s`);
      for (const retriever of index.retrievers) {
        const started = performance.now();
        const perQuery: RetrievalMetrics[] = [];
        for (const query of queries) {
          const ranking = firstOccurrences(await retriever.search(query.text, options.depth)).slice(0, options.depth);
          perQuery.push(retrievalMetrics(ranking, query.judgements));
        }
        const querySeconds = (performance.now() - started) / 1000;
        log(`  ${retriever.name}: queries in ${querySeconds.toFixed(1)} s`);
        results.push({
          peer: retriever.name,
          ranking: retriever.ranking,
          description: retriever.description,
          metrics: mean(perQuery),
          queries: queries.length,
          buildSeconds: index.buildSeconds,
          querySeconds,
        });
      }
    } finally {
      await index.close();
    }
  }
  return results;
}
