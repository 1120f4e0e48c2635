export interface EmbedOptions {
  signal?: AbortSignal;
  /** Whose texts these are: usage and cost are recorded per tenant. */
  tenant?: string;
}

/**
 * Port for text embedders (local hashed n-grams by default, OpenAI-compatible in server mode).
 *
 * Capabilities are data, read by the callers that batch and schedule requests:
 * - `maxInputsPerCall`: most texts one `embed` call may carry (OpenAI: 2,048; TEI: 32 by default);
 * - `maxTokensPerCall`: most tokens (cl100k_base counts) of all texts of one call together
 *   (OpenAI: 300,000); `Infinity` when the embedder has no such limit;
 * - `supportsParallelCalls`: whether calls in flight at once are served in parallel (a remote
 *   endpoint) rather than one after another on this process's thread (the local embedder).
 *
 * Contract: `embed(texts)` returns one L2-normalised vector of length `dimension` per input, in
 * input order; the same text and model always give the same vector. Callers never exceed the two
 * per-call limits; batching texts of many documents into calls, and how many calls run at once, are
 * the callers' job (see the batching wrapper), never the adapter's.
 */
export interface Embedder {
  readonly modelId: string;
  readonly dimension: number;
  readonly maxInputsPerCall: number;
  readonly maxTokensPerCall: number;
  readonly supportsParallelCalls: boolean;
  embed(texts: string[], options?: EmbedOptions): Promise<number[][]>;
}
