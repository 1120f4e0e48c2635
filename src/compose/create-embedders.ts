import type { Metrics } from "../observability/metrics.js";
import type { Embedder } from "../ports/embedder.js";
import { AdaptiveConcurrency } from "../wrappers/adaptive-concurrency.js";
import { createCoalescingEmbedder } from "../wrappers/coalescing-embedder.js";
import { wrapPort } from "../wrappers/wrap-port.js";

/** Embedding requests in flight at first; the limit then adapts up to embedding.maxConcurrentRequests. */
export const INITIAL_EMBEDDING_REQUESTS = 4;
/** Concurrent query embeddings within this window share one request. */
const QUERY_WINDOW_MS = 3;
/**
 * How long ingest texts wait for others to fill a request while a request slot is free: the chunks of
 * a batch arrive together, and another batch's chunks a little later. While every slot is busy texts
 * wait for a slot anyway and fill the next request.
 */
const INGEST_WINDOW_MS = 50;
/** While an ingest request is in flight, a request of fewer texts waits up to waitMs for more (requests fill up under load). */
const INGEST_FILL = { inputs: 512, waitMs: 1_000 };

/** `embedder` with each call (one request to the endpoint) and its texts counted in the metrics. */
export function countingEmbedder(embedder: Embedder, metrics: Metrics): Embedder {
  return wrapPort(embedder, {
    embed:
      (next) =>
      async (...args) => {
        const vectors = await next(...args);
        metrics.embedderCalls.inc({ model: embedder.modelId });
        metrics.embeddedTexts.inc({ model: embedder.modelId }, args[0].length);
        return vectors;
      },
  });
}

/** Query embeddings: concurrent calls share a request. */
export function createQueryEmbedder(embedder: Embedder): Embedder {
  return createCoalescingEmbedder(embedder, { windowMs: QUERY_WINDOW_MS });
}

/**
 * The embedder ingest uses: the chunks of many documents and batches packed into requests within the
 * endpoint's `maxInputsPerCall` / `maxTokensPerCall`, with as many requests in flight as `concurrency`
 * allows (one at a time for an embedder without parallel calls, such as the local one).
 */
export function createIngestEmbedder(
  embedder: Embedder,
  options: { concurrency?: AdaptiveConcurrency; maxConcurrentRequests: number; countTokens: (text: string) => number },
): Embedder {
  const concurrency =
    options.concurrency ??
    new AdaptiveConcurrency({ initial: INITIAL_EMBEDDING_REQUESTS, max: embedder.supportsParallelCalls ? options.maxConcurrentRequests : 1 });
  return createCoalescingEmbedder(embedder, {
    windowMs: embedder.supportsParallelCalls ? INGEST_WINDOW_MS : 0,
    ...(embedder.supportsParallelCalls ? { fill: INGEST_FILL } : {}),
    concurrency,
    countTokens: options.countTokens,
  });
}
