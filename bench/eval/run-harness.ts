import { resolveConfigs } from "./eval-configs.js";
import { ingestDocuments, RANKING_DEPTH, startEvalRuntime } from "./eval-runtime.js";
import { loadOffTopicQuestions, loadSet, sampleSet } from "./eval-sets.js";
import { evaluateQueries, type ConfigRows } from "./evaluate-set.js";
import { runPeers, type PeerResult } from "./peers/run-peers.js";

export interface HarnessOptions {
  /** `squad`, `nfcorpus` or BEIR-layout directories. */
  sets: string[];
  configs: string[];
  limitQueries?: number;
  limitDocs?: number;
  /**
   * Peers (keys of bench/eval/peers/run-peers.ts PEER_BUILDERS) that also rank every set, outside
   * Ragline, after the configurations; none by default here (the CLI runs them all unless `--no-peers`).
   */
  peers?: readonly string[];
  /** Progress lines (stderr by default in the CLI). */
  log?: (line: string) => void;
}

export interface ConfigResult extends ConfigRows {
  config: string;
  ingest: { indexed: number; failed: number; seconds: number };
}

export interface SetResult {
  set: string;
  documents: number;
  queries: number;
  offTopicQuestions: number;
  configs: ConfigResult[];
  /** Peer rows, same documents and queries; empty when peers are off. */
  peers: PeerResult[];
}

/** Runs every set against every configuration, each on a fresh embedded service with only that set's documents. */
export async function runHarness(options: HarnessOptions): Promise<SetResult[]> {
  const log = options.log ?? (() => {});
  const configs = resolveConfigs(options.configs);
  const results: SetResult[] = [];
  for (const spec of options.sets) {
    const set = sampleSet(await loadSet(spec), { limitQueries: options.limitQueries, limitDocs: options.limitDocs });
    const offTopic = await loadOffTopicQuestions(set);
    log(`${set.name}: ${set.documents.length} documents, ${set.queries.length} judged queries, ${offTopic.length} off-topic questions`);
    const setResult: SetResult = {
      set: set.name,
      documents: set.documents.length,
      queries: set.queries.length,
      offTopicQuestions: offTopic.length,
      configs: [],
      peers: [],
    };
    for (const config of configs) {
      const running = await startEvalRuntime(config.overrides());
      try {
        const ingest = await ingestDocuments(running, set.documents, { titleInText: config.titleInText });
        log(`  ${config.name}: ${ingest.indexed} indexed, ${ingest.failed} failed in ${ingest.seconds.toFixed(1)} s`);
        const rows = await evaluateQueries(running, set.queries, offTopic, ingest.originalIds);
        log(`  ${config.name}: queries in ${rows.querySeconds.toFixed(1)} s`);
        setResult.configs.push({ config: config.name, ingest: { indexed: ingest.indexed, failed: ingest.failed, seconds: ingest.seconds }, ...rows });
      } finally {
        await running.close();
      }
    }
    if (options.peers?.length) setResult.peers = await runPeers(set.documents, set.queries, { depth: RANKING_DEPTH, peers: options.peers, log });
    results.push(setResult);
  }
  return results;
}
