export interface EmbedOptions {
  signal?: AbortSignal;
  /** Whose texts these are: usage and cost are recorded per tenant. */
  tenant?: string;
}

/**
 * Port for text embedders (local hashed n-grams by default, OpenAI-compatible in server mode).
 *
 * Contract: `embed(texts)` returns one L2-normalised vector of length `dimension` per input, in
 * input order; the same text and model always give the same vector; callers never pass more than
 * `maxBatchSize` texts at once (batching lives in the use case, not the adapter).
 */
export interface Embedder {
  readonly modelId: string;
  readonly dimension: number;
  readonly maxBatchSize: number;
  embed(texts: string[], options?: EmbedOptions): Promise<number[][]>;
}
