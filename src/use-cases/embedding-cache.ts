import { createHash } from "node:crypto";
import { ValidationError } from "../core/errors.js";
import type { EmbedOptions, Embedder } from "../ports/embedder.js";
import type { KeyValue } from "../ports/key-value.js";
import { type Logger } from "../ports/logger.js";

export interface EmbeddingCacheMetrics {
  onLookup(hits: number, misses: number): void;
  onEmbedderCall(model: string, texts: number): void;
}

/** Token budget of the embedding task: no input over `maxInputTokens`, no request over the embedder's `maxTokensPerCall`. */
export interface EmbeddingTokenBudget {
  count(text: string): number;
  maxInputTokens: number;
}

/** `emb:{model}:{dimension}:{sha256(text)}` — DESIGN.md's key scheme. */
export function embeddingCacheKey(model: string, dimension: number, text: string): string {
  return `emb:${model}:${dimension}:${createHash("sha256").update(text).digest("hex")}`;
}

function encodeVector(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

function decodeVector(encoded: string, dimension: number): number[] | null {
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.length !== dimension * 4) return null;
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, dimension);
  return Array.from(floats);
}

/**
 * Embeds texts through the cache: one `mget` for the batch, the embedder only for misses
 * (identical texts in one call are embedded once), in calls within the embedder's `maxInputsPerCall`
 * and `maxTokensPerCall`, then one
 * `mset` of the new vectors. A failing cache is skipped — look-ups count as misses and writes are
 * dropped — so the cache can never make an embedding fail.
 */
export class EmbeddingCache {
  constructor(
    private readonly deps: {
      embedder: Embedder;
      keyValue: KeyValue;
      ttlSeconds?: number;
      metrics?: EmbeddingCacheMetrics;
      logger?: Logger;
      tokenBudget?: EmbeddingTokenBudget;
    },
  ) {}

  get modelId(): string {
    return this.deps.embedder.modelId;
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<number[][]> {
    const { embedder } = this.deps;
    const keys = texts.map((text) => embeddingCacheKey(embedder.modelId, embedder.dimension, text));
    const cached = await this.lookup(keys);
    const vectors: Array<number[] | null> = cached.map((value) => (value === null ? null : decodeVector(value, embedder.dimension)));

    const missingByKey = new Map<string, string>();
    vectors.forEach((vector, index) => {
      if (vector === null) missingByKey.set(keys[index] as string, texts[index] as string);
    });
    this.deps.metrics?.onLookup(texts.length - countMisses(vectors), countMisses(vectors));

    const fresh = new Map<string, number[]>();
    for (const batchKeys of this.batches(missingByKey)) {
      const embedded = await embedder.embed(
        batchKeys.map((key) => missingByKey.get(key) as string),
        { signal: options.signal, tenant: options.tenant },
      );
      this.deps.metrics?.onEmbedderCall(embedder.modelId, batchKeys.length);
      // Round through float32 like the cache and the stores do, so a vector is the same fresh or cached.
      batchKeys.forEach((key, index) => fresh.set(key, Array.from(new Float32Array(embedded[index] as number[]))));
    }
    if (fresh.size > 0) await this.store(fresh);
    return vectors.map((vector, index) => vector ?? (fresh.get(keys[index] as string) as number[]));
  }

  /** Splits misses into embedder calls within its `maxInputsPerCall` texts and `maxTokensPerCall` tokens. */
  private batches(missingByKey: Map<string, string>): string[][] {
    const { embedder, tokenBudget } = this.deps;
    const batchSize = Math.max(1, embedder.maxInputsPerCall);
    const batches: string[][] = [];
    let current: string[] = [];
    let currentTokens = 0;
    for (const [key, text] of missingByKey) {
      const tokens = tokenBudget ? tokenBudget.count(text) : 0;
      if (tokenBudget && tokens > tokenBudget.maxInputTokens) {
        throw new ValidationError(`text of ${tokens} tokens exceeds the embedding model's limit of ${tokenBudget.maxInputTokens}`, [
          { path: "text", message: `at most ${tokenBudget.maxInputTokens} tokens` },
        ]);
      }
      const overBudget = tokenBudget !== undefined && current.length > 0 && currentTokens + tokens > embedder.maxTokensPerCall;
      if (current.length >= batchSize || overBudget) {
        batches.push(current);
        current = [];
        currentTokens = 0;
      }
      current.push(key);
      currentTokens += tokens;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  private async lookup(keys: string[]): Promise<(string | null)[]> {
    try {
      return await this.deps.keyValue.mget(keys);
    } catch (error) {
      this.deps.logger?.warn({ error: (error as Error).message }, "embedding cache read failed; embedding without it");
      return keys.map(() => null);
    }
  }

  private async store(fresh: Map<string, number[]>): Promise<void> {
    try {
      await this.deps.keyValue.mset(
        [...fresh].map(([key, vector]) => [key, encodeVector(vector)]),
        { ttlSeconds: this.deps.ttlSeconds },
      );
    } catch (error) {
      this.deps.logger?.warn({ error: (error as Error).message }, "embedding cache write failed; continuing");
    }
  }
}

function countMisses(vectors: Array<number[] | null>): number {
  return vectors.filter((vector) => vector === null).length;
}
