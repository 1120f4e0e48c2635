import { createHash } from "node:crypto";
import type { KeyValue } from "../ports/key-value.js";
import type { Logger } from "../ports/logger.js";
import type { Reranker } from "../ports/reranker.js";
import { wrapPort } from "./wrap-port.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** `rerank:{model}:{sha256(query)}:{sha256(document)}`: a score depends on nothing else (the port's contract). */
export function rerankCacheKey(modelId: string, query: string, document: string): string {
  return `rerank:${modelId}:${sha256(query)}:${sha256(document)}`;
}

export interface RerankCacheOptions {
  keyValue: KeyValue;
  ttlSeconds?: number;
  /** Per call: documents found in the cache and documents sent to the reranker. */
  onLookup?: (hits: number, misses: number) => void;
  logger?: Logger;
}

/**
 * Caches scores per (model, query, document): one `mget` per call, the reranker only for the misses
 * (a document repeated in one call is scored once), one `mset` of the new scores. Usage reports only
 * what the reranker was asked (null tokens when everything came from the cache). A failing cache is
 * skipped — reads count as misses, writes are dropped — so the cache never makes a rerank fail.
 */
export function createCachingReranker(reranker: Reranker, options: RerankCacheOptions): Reranker {
  const lookup = async (keys: string[]): Promise<(string | null)[]> => {
    try {
      return await options.keyValue.mget(keys);
    } catch (error) {
      options.logger?.warn({ error: (error as Error).message }, "rerank cache read failed; reranking without it");
      return keys.map(() => null);
    }
  };
  const store = async (entries: Array<[string, string]>): Promise<void> => {
    try {
      await options.keyValue.mset(entries, { ttlSeconds: options.ttlSeconds });
    } catch (error) {
      options.logger?.warn({ error: (error as Error).message }, "rerank cache write failed; continuing");
    }
  };

  return wrapPort(reranker, {
    rerank:
      (next) =>
      async (query, documents, rerankOptions = {}) => {
        if (documents.length === 0) return next(query, documents, rerankOptions);
        const keys = documents.map((document) => rerankCacheKey(reranker.modelId, query, document));
        const cached = (await lookup(keys)).map((value) => (value === null ? null : Number(value)));
        const scores = cached.map((value) => (value !== null && Number.isFinite(value) ? value : null));
        const missing = new Map<string, string>();
        scores.forEach((score, index) => {
          if (score === null) missing.set(keys[index]!, documents[index]!);
        });
        options.onLookup?.(documents.length - scores.filter((score) => score === null).length, missing.size);
        if (missing.size === 0) return { scores: scores as number[], usage: { inputTokens: null } };

        const missingKeys = [...missing.keys()];
        const fresh = await next(query, [...missing.values()], rerankOptions);
        const freshByKey = new Map(missingKeys.map((key, index) => [key, fresh.scores[index]!]));
        await store(missingKeys.map((key) => [key, String(freshByKey.get(key))]));
        return { scores: scores.map((score, index) => score ?? freshByKey.get(keys[index]!)!), usage: fresh.usage };
      },
  });
}
