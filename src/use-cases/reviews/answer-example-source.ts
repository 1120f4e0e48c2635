import { cosineSimilarity, vectorNorm } from "../../core/ranking/cosine-similarity.js";
import type { AnswerExample, AnswerExampleSource } from "../../ports/answer-examples.js";
import type { Logger } from "../../ports/logger.js";
import type { ReviewRepository, StoredExample } from "../../ports/review-repository.js";
import type { QuestionEmbedder } from "./review-state.js";

export interface AnswerExampleSourceOptions {
  reviews: ReviewRepository;
  embedder: QuestionEmbedder;
  /** Cosine similarity of the questions an example needs (config answer.examples.minSimilarity). */
  minSimilarity: number;
  /** Most examples returned (config answer.examples.max). */
  max: number;
  logger?: Logger;
  /** Tenants whose examples are kept in memory; beyond it the cache starts over. */
  maxCachedTenants?: number;
}

/**
 * The reviewed corrections of a tenant most similar to a new question: the question is embedded with
 * the query embedder, compared by cosine with every example of the tenant (brute force: a tenant has
 * hundreds of examples, not millions, so an index would cost more than it saves), those at or above
 * `minSimilarity` kept, at most `max`, most similar first (ties: older first). Only the tenant's own
 * examples, and only those still stored (deleting feedback deletes its example).
 * A tenant's examples are cached in memory under `examplesVersion`, checked on every call (one small
 * query), so an example deleted by any process is never used after the deletion commits. A tenant
 * without examples costs that query and no embedding. Examples embedded by another model (the
 * embedder changed) are embedded again with the current one and stored. When the examples cannot be
 * had (database or embedder failing) it logs and returns none: the answer goes on without them; only
 * an abort of `signal` is thrown.
 */
export function createAnswerExampleSource(options: AnswerExampleSourceOptions): AnswerExampleSource {
  const maxTenants = options.maxCachedTenants ?? 1_000;
  const cache = new Map<string, { version: string; examples: StoredExample[] }>();

  async function examplesOf(tenant: string): Promise<StoredExample[]> {
    const version = await options.reviews.examplesVersion(tenant);
    const cached = cache.get(tenant);
    if (cached?.version === version) return cached.examples;
    const examples = await currentModel(tenant, await options.reviews.listExamples(tenant));
    if (cache.size >= maxTenants) cache.clear();
    cache.set(tenant, { version, examples });
    return examples;
  }

  async function currentModel(tenant: string, examples: StoredExample[]): Promise<StoredExample[]> {
    const stale = examples.filter((example) => example.embeddingModel !== options.embedder.modelId);
    if (stale.length === 0) return examples;
    const vectors = await options.embedder.embed(
      stale.map((example) => example.question),
      { tenant },
    );
    const updates = stale.map((example, index) => ({ id: example.id, embedding: vectors[index]!, embeddingModel: options.embedder.modelId }));
    await options.reviews.updateExampleEmbeddings(tenant, updates);
    options.logger?.info({ tenant, examples: updates.length, model: options.embedder.modelId }, "answer examples embedded again with the current model");
    const updated = new Map(updates.map((update) => [update.id, update]));
    return examples.map((example) => ({ ...example, ...updated.get(example.id) }));
  }

  async function mostSimilar(tenant: string, question: string, signal: AbortSignal | undefined): Promise<AnswerExample[]> {
    const examples = await examplesOf(tenant);
    if (examples.length === 0) return [];
    const [vector] = await options.embedder.embed([question], { tenant, signal });
    if (!vector) return [];
    const norm = vectorNorm(vector);
    return examples
      .map((example) => ({ id: example.id, question: example.question, answer: example.answer, similarity: cosineSimilarity(vector, norm, example.embedding) }))
      .filter((example) => example.similarity >= options.minSimilarity)
      .sort((left, right) => right.similarity - left.similarity)
      .slice(0, options.max);
  }

  return {
    async find({ tenant, question, signal }): Promise<AnswerExample[]> {
      if (options.max < 1) return [];
      try {
        return await mostSimilar(tenant, question, signal);
      } catch (error) {
        if (signal?.aborted) throw error;
        // Examples improve an answer; they are never worth failing it (database or embedder down).
        options.logger?.warn({ tenant, err: error }, "answer examples unavailable: answering without them");
        return [];
      }
    },
  };
}
