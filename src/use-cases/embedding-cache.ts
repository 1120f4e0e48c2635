import { createHash } from "node:crypto";
import { ValidationError } from "../core/errors.js";
import type { EmbedOptions, Embedder } from "../ports/embedder.js";
import type { KeyValue } from "../ports/key-value.js";
import { type Logger } from "../ports/logger.js";

export interface EmbeddingCacheMetrics {
  onLookup(hits: number, misses: number): void;
}

/** Token budget of the embedding task: no input over `maxInputTokens`, no call over the embedder's `maxTokensPerCall`. */
export interface EmbeddingTokenBudget {
  count(text: string): number;
  maxInputTokens: number;
}

/** One group's vectors (in its texts' order), or why its texts could not be embedded. */
export type GroupEmbedding = { vectors: number[][] } | { error: unknown };

/**
 * `emb:{model}:{dimension}:{sha256(text)}` (DESIGN.md's key scheme), or with a tenant
 * `emb:t:{tenant}:{model}:{dimension}:{sha256(text)}`: a cache shared across tenants would let one
 * tenant learn, from cached-token counts or timing, that another holds a given text.
 */
export function embeddingCacheKey(model: string, dimension: number, text: string, tenant?: string): string {
  const digest = createHash("sha256").update(text).digest("hex");
  return tenant === undefined ? `emb:${model}:${dimension}:${digest}` : `emb:t:${tenant}:${model}:${dimension}:${digest}`;
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
 * Embeds texts through the cache. `embedGroups` serves a batch (e.g. the chunks of each document of
 * an ingest batch): one `mget` for every text of every group, one embedder call per group for its
 * misses (a coalescing embedder in front packs these calls into shared requests), one `mset` of the
 * new vectors. A text missing from several groups is embedded once, by the first. A group whose
 * call failed gets its error and the others their vectors. A failing cache is skipped — look-ups
 * count as misses and writes are dropped — so the cache can never make an embedding fail.
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
      /** Whether tenants share cached vectors (config embedding.cache.shareAcrossTenants); default: each tenant has its own. */
      shareAcrossTenants?: boolean;
    },
  ) {}

  get modelId(): string {
    return this.deps.embedder.modelId;
  }

  /** The vectors of `texts`, in order; throws when they could not be embedded. */
  async embed(texts: string[], options: EmbedOptions = {}): Promise<number[][]> {
    const [result] = await this.embedGroups([{ texts, tenant: options.tenant }], { signal: options.signal });
    if (!result || "error" in result) throw result?.error ?? new Error("no embedding result");
    return result.vectors;
  }

  /** Each group's vectors or error, in order (see the class comment). */
  async embedGroups(groups: Array<{ texts: string[]; tenant?: string }>, options: { signal?: AbortSignal } = {}): Promise<GroupEmbedding[]> {
    const { embedder } = this.deps;
    const namespace = (tenant: string | undefined) => (this.deps.shareAcrossTenants ? undefined : tenant);
    const keys = groups.map((group) => group.texts.map((text) => embeddingCacheKey(embedder.modelId, embedder.dimension, text, namespace(group.tenant))));
    const uniqueKeys = [...new Set(keys.flat())];
    const stored = await this.lookup(uniqueKeys);
    const cached = new Map<string, number[]>();
    uniqueKeys.forEach((key, index) => {
      const value = stored[index];
      const vector = value === null || value === undefined ? null : decodeVector(value, embedder.dimension);
      if (vector) cached.set(key, vector);
    });
    const misses = keys.flat().filter((key) => !cached.has(key)).length;
    this.deps.metrics?.onLookup(keys.flat().length - misses, misses);

    // Each missing text is embedded by the first group that has it.
    const owned = groups.map(() => new Map<string, string>());
    const ownerOf = new Map<string, number>();
    groups.forEach((group, groupIndex) =>
      group.texts.forEach((text, index) => {
        const key = keys[groupIndex]![index]!;
        if (cached.has(key) || ownerOf.has(key)) return;
        ownerOf.set(key, groupIndex);
        owned[groupIndex]!.set(key, text);
      }),
    );
    const calls = await Promise.allSettled(
      groups.map((group, groupIndex) => this.embedMisses(owned[groupIndex]!, { tenant: group.tenant, signal: options.signal })),
    );
    const fresh = new Map<string, number[]>();
    for (const call of calls) if (call.status === "fulfilled") for (const [key, vector] of call.value) fresh.set(key, vector);
    if (fresh.size > 0) await this.store(fresh);

    return groups.map((_, groupIndex): GroupEmbedding => {
      const vectors: number[][] = [];
      for (const key of keys[groupIndex]!) {
        const vector = cached.get(key) ?? fresh.get(key);
        if (vector) vectors.push(vector);
        else return { error: (calls[ownerOf.get(key)!] as PromiseRejectedResult).reason };
      }
      return { vectors };
    });
  }

  /** Embeds `missing` (key → text) in calls within the embedder's limits; vectors rounded through float32 like the cache and the stores. */
  private async embedMisses(missing: Map<string, string>, options: EmbedOptions): Promise<Map<string, number[]>> {
    const result = new Map<string, number[]>();
    if (missing.size === 0) return result;
    const calls = this.calls(missing);
    const embedded = await Promise.all(
      calls.map((keys) =>
        this.deps.embedder.embed(
          keys.map((key) => missing.get(key)!),
          options,
        ),
      ),
    );
    calls.forEach((keys, call) => keys.forEach((key, index) => result.set(key, Array.from(new Float32Array(embedded[call]![index]!)))));
    return result;
  }

  /** Splits misses into embedder calls within its `maxInputsPerCall` texts and `maxTokensPerCall` tokens. */
  private calls(missing: Map<string, string>): string[][] {
    const { embedder, tokenBudget } = this.deps;
    const maxInputs = Math.max(1, embedder.maxInputsPerCall);
    const calls: string[][] = [];
    let current: string[] = [];
    let currentTokens = 0;
    for (const [key, text] of missing) {
      const tokens = tokenBudget ? tokenBudget.count(text) : 0;
      if (tokenBudget && tokens > tokenBudget.maxInputTokens) {
        throw new ValidationError(`text of ${tokens} tokens exceeds the embedding model's limit of ${tokenBudget.maxInputTokens}`, [
          { path: "text", message: `at most ${tokenBudget.maxInputTokens} tokens` },
        ]);
      }
      if (current.length >= maxInputs || (current.length > 0 && currentTokens + tokens > embedder.maxTokensPerCall)) {
        calls.push(current);
        current = [];
        currentTokens = 0;
      }
      current.push(key);
      currentTokens += tokens;
    }
    if (current.length > 0) calls.push(current);
    return calls;
  }

  private async lookup(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
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
