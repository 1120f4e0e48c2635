import { UpstreamError } from "../../../core/errors.js";
import type { RerankOptions, RerankResult, Reranker } from "../../../ports/reranker.js";
import { parseRerankReply } from "./rerank-response.js";
import { rerankStatusError, rerankTransportError } from "./rerank-http-errors.js";

/**
 * Which request body `/rerank` takes. `documents`: `{model, query, documents, top_n,
 * return_documents: false}` (Jina, Cohere, vLLM, llama.cpp, Infinity, LocalAI); `texts`: Text
 * Embeddings Inference's native `{query, texts, raw_scores: false, truncate: true}`.
 */
export type RerankRequestFormat = "documents" | "texts";

export interface OpenAiCompatibleRerankerSettings {
  /** The server's base URL; requests go to `${baseUrl}/rerank` (e.g. http://tei:8080, http://vllm:8000/v1, https://api.jina.ai/v1). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set; never logged. */
  apiKey: string | null;
  model: string;
  requestFormat: RerankRequestFormat;
}

/**
 * Reranker over an HTTP `/rerank` endpoint (the shape TEI, vLLM, Jina and Cohere serve). Either
 * reply shape is accepted (`{results: [{index, relevance_score}]}` or TEI's `[{index, score}]`),
 * validated, and turned back into input order. Scores are the server's: TEI (`raw_scores: false`),
 * Jina, Cohere and vLLM's cross-encoders return [0, 1]; llama.cpp returns raw logits.
 * No retries, timeout or cache here: the resilience policy and the cache wrap this adapter.
 */
export class OpenAiCompatibleReranker implements Reranker {
  readonly modelId: string;
  private readonly url: string;

  constructor(private readonly settings: OpenAiCompatibleRerankerSettings) {
    this.modelId = `openai:${settings.model}`;
    this.url = `${settings.baseUrl.replace(/\/+$/, "")}/rerank`;
  }

  async rerank(query: string, documents: string[], options: RerankOptions = {}): Promise<RerankResult> {
    if (documents.length === 0) return { scores: [], usage: { inputTokens: null } };
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (this.settings.apiKey) headers.authorization = `Bearer ${this.settings.apiKey}`;
    let response: Response;
    try {
      response = await fetch(this.url, { method: "POST", headers, body: JSON.stringify(this.body(query, documents)), signal: options.signal });
    } catch (error) {
      throw rerankTransportError(error);
    }
    if (!response.ok) {
      // Drain the body so the connection is reused; its text may echo the request and is never kept.
      await response.body?.cancel().catch(() => undefined);
      throw rerankStatusError(response.status, response.headers);
    }
    let reply: unknown;
    try {
      reply = await response.json();
    } catch (error) {
      if (error instanceof Error && error.name === "AbortError") throw error;
      throw new UpstreamError("the reranker returned a reply that is not JSON");
    }
    const parsed = parseRerankReply(reply, documents.length);
    return { scores: parsed.scores, usage: { inputTokens: parsed.inputTokens } };
  }

  private body(query: string, documents: string[]): Record<string, unknown> {
    if (this.settings.requestFormat === "texts") return { query, texts: documents, raw_scores: false, return_text: false, truncate: true };
    return { model: this.settings.model, query, documents, top_n: documents.length, return_documents: false };
  }
}
