import type { ResiliencePolicy } from "./resilience-policy.js";
import type { EmbedOptions, Embedder } from "../ports/embedder.js";

/** Applies a resilience policy (timeout, retries, breaker) to every embed call. */
export class ResilientEmbedder implements Embedder {
  constructor(
    private readonly inner: Embedder,
    readonly policy: ResiliencePolicy,
    private readonly options: { onError?: (error: unknown) => void } = {},
  ) {}

  get modelId(): string {
    return this.inner.modelId;
  }
  get dimension(): number {
    return this.inner.dimension;
  }
  get maxBatchSize(): number {
    return this.inner.maxBatchSize;
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<number[][]> {
    try {
      return await this.policy.execute((signal) => this.inner.embed(texts, { signal, tenant: options.tenant }), options.signal);
    } catch (error) {
      this.options.onError?.(error);
      throw error;
    }
  }
}
