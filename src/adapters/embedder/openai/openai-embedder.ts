import type OpenAI from "openai";
import { UpstreamError } from "../../../core/errors.js";
import type { EmbedOptions, Embedder } from "../../../ports/embedder.js";
import { mapOpenAiError } from "../../openai/openai-errors.js";

export interface OpenAiEmbedderSettings {
  model: string;
  dimension: number;
  /** Send `dimensions` (OpenAI text-embedding-3 models shorten vectors); off for servers that reject it. */
  sendDimensions?: boolean;
  /** Most texts per request (OpenAI 2,048; TEI's default is 32). */
  maxInputsPerCall?: number;
  /** Most tokens of all texts of one request together (OpenAI 300,000). */
  maxTokensPerCall?: number;
  /** How vectors travel: `base64` (little-endian float32, a quarter of the JSON and faster to read; the default) or `float` for servers without it. */
  encodingFormat?: "base64" | "float";
  /** Called with the endpoint's token count after each successful request. */
  onUsage?: (usage: { inputTokens: number; model: string; latencyMs: number; tenant: string }) => void;
}

/**
 * Embedder over any OpenAI-compatible `/embeddings` endpoint. Vectors are checked for length and
 * L2-normalised (the port's contract; not every server normalises). No retries here: the resilience
 * policy wraps this adapter.
 */
export class OpenAiEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimension: number;
  readonly maxInputsPerCall: number;
  readonly maxTokensPerCall: number;
  readonly supportsParallelCalls = true;

  constructor(
    private readonly client: OpenAI,
    private readonly settings: OpenAiEmbedderSettings,
  ) {
    this.modelId = `openai:${settings.model}:d${settings.dimension}`;
    this.dimension = settings.dimension;
    this.maxInputsPerCall = settings.maxInputsPerCall ?? 2048;
    this.maxTokensPerCall = settings.maxTokensPerCall ?? 300_000;
  }

  async embed(texts: string[], options: EmbedOptions = {}): Promise<number[][]> {
    if (texts.length === 0) return [];
    let response: OpenAI.Embeddings.CreateEmbeddingResponse;
    const started = performance.now();
    try {
      response = await this.client.embeddings.create(
        {
          model: this.settings.model,
          input: texts,
          encoding_format: this.settings.encodingFormat ?? "base64",
          ...(this.settings.sendDimensions === false ? {} : { dimensions: this.settings.dimension }),
        },
        { signal: options.signal },
      );
    } catch (error) {
      throw mapOpenAiError(error, "the embedding endpoint");
    }
    if (!Array.isArray(response.data) || response.data.length !== texts.length) {
      throw new UpstreamError(`the embedding endpoint returned ${response.data?.length ?? 0} vectors for ${texts.length} texts`);
    }
    this.settings.onUsage?.({
      inputTokens: response.usage?.prompt_tokens ?? 0,
      model: this.settings.model,
      latencyMs: performance.now() - started,
      tenant: options.tenant ?? "-",
    });
    const ordered = [...response.data].sort((left, right) => left.index - right.index);
    return ordered.map((item) => {
      // A server that ignores encoding_format answers floats either way.
      const vector = typeof item.embedding === "string" ? decodeBase64Floats(item.embedding) : item.embedding;
      if (!Array.isArray(vector) || vector.length !== this.dimension) {
        throw new UpstreamError(
          `the embedding endpoint returned vectors of length ${Array.isArray(vector) ? vector.length : 0}, expected ${this.dimension} (embedding.dimension)`,
        );
      }
      return normalize(vector);
    });
  }
}

function normalize(vector: number[]): number[] {
  let squared = 0;
  for (const value of vector) squared += value * value;
  if (squared === 0 || !Number.isFinite(squared)) throw new UpstreamError("the embedding endpoint returned a zero or invalid vector");
  const inverse = 1 / Math.sqrt(squared);
  return vector.map((value) => value * inverse);
}

function decodeBase64Floats(encoded: string): number[] {
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.length % 4 !== 0) throw new UpstreamError("the embedding endpoint returned a malformed base64 vector");
  const floats = new Float32Array(bytes.length / 4);
  for (let index = 0; index < floats.length; index += 1) floats[index] = bytes.readFloatLE(index * 4);
  return Array.from(floats);
}
