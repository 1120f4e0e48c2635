import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hangingResponses, readBody, sendJson } from "./stand-in-http.js";

/**
 * A local stand-in for a `/rerank` server (TEI, vLLM, Jina, Cohere), because no reranking model can
 * run in the test environment (127.0.0.1 only, no network). Its "model" scores each document by the
 * share of the query's words it contains (0–1, like a normalised cross-encoder), or by `scoreOf` when
 * a test sets one. A body with `texts` gets TEI's bare `[{index, score}]` reply, one with `documents`
 * the `{results: [{index, relevance_score}], usage}` reply, best first as those servers answer.
 * Every request is recorded; each takes the next scripted behaviour, else the default one.
 */
export type RerankBehaviour =
  | { kind: "ok" }
  | { kind: "status"; status: number; retryAfter?: string }
  | { kind: "hang" }
  | { kind: "delay"; ms: number }
  | { kind: "invalid-json" }
  | { kind: "wrong-length" }
  | { kind: "unknown-shape" };

export interface RerankRequestBody {
  model?: string;
  query?: string;
  documents?: string[];
  texts?: string[];
  top_n?: number;
  return_documents?: boolean;
  raw_scores?: boolean;
}

export interface RecordedRerankRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: RerankRequestBody;
}

export interface RerankStandIn {
  baseUrl: string;
  requests: RecordedRerankRequest[];
  script(...behaviours: RerankBehaviour[]): void;
  defaultBehaviour: RerankBehaviour;
  /** Replaces the word-overlap "model" (null restores it). */
  scoreOf: ((query: string, document: string) => number) | null;
  /** Tokens reported in `usage` per document (documents shape only). */
  tokensPerDocument: number;
  close(): Promise<void>;
}

const words = (text: string) => new Set(text.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []);

/** Share of the query's distinct words (3+ letters) found in the document. */
export function wordOverlapScore(query: string, document: string): number {
  const queryWords = words(query);
  if (queryWords.size === 0) return 0;
  const documentWords = words(document);
  let found = 0;
  for (const word of queryWords) if (documentWords.has(word)) found++;
  return found / queryWords.size;
}

export async function startRerankStandIn(options: { path?: string } = {}): Promise<RerankStandIn> {
  const queue: RerankBehaviour[] = [];
  const requests: RecordedRerankRequest[] = [];
  const hanging = hangingResponses();
  const state = { defaultBehaviour: { kind: "ok" } as RerankBehaviour, scoreOf: null as RerankStandIn["scoreOf"], tokensPerDocument: 7 };

  const server: Server = createServer(async (request, response) => {
    const raw = await readBody(request);
    const body = (raw ? JSON.parse(raw) : {}) as RerankRequestBody;
    const path = request.url ?? "";
    requests.push({ path, headers: request.headers, body });
    if (request.method !== "POST" || !path.endsWith("/rerank")) return sendJson(response, 404, { error: "not found" });
    const behaviour = queue.shift() ?? state.defaultBehaviour;
    if (behaviour.kind === "hang") {
      hanging.hold(response);
      return;
    }
    if (behaviour.kind === "status") {
      const headers: Record<string, string> = behaviour.retryAfter !== undefined ? { "retry-after": behaviour.retryAfter } : {};
      return sendJson(response, behaviour.status, { error: `stand-in error ${behaviour.status}: ${body.query ?? ""}` }, headers);
    }
    if (behaviour.kind === "invalid-json") return sendJson(response, 200, '{"results": [{"index": 0, "relevance_score": 0.9}');
    if (behaviour.kind === "delay") await new Promise((resolve) => setTimeout(resolve, behaviour.ms));

    const documents = body.texts ?? body.documents ?? [];
    const score = state.scoreOf ?? wordOverlapScore;
    let scored = documents.map((document, index) => ({ index, score: score(body.query ?? "", document) })).sort((a, b) => b.score - a.score);
    if (behaviour.kind === "wrong-length") scored = scored.slice(0, Math.max(0, scored.length - 1));
    if (behaviour.kind === "unknown-shape") return sendJson(response, 200, { data: scored });
    if (body.texts) return sendJson(response, 200, scored);
    const results = scored.slice(0, body.top_n ?? scored.length).map(({ index, score: value }) => ({ index, relevance_score: value }));
    sendJson(response, 200, { model: body.model, results, usage: { total_tokens: documents.length * state.tokensPerDocument } });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${options.path ?? ""}`,
    requests,
    script: (...behaviours) => queue.push(...behaviours),
    get defaultBehaviour() {
      return state.defaultBehaviour;
    },
    set defaultBehaviour(value: RerankBehaviour) {
      state.defaultBehaviour = value;
    },
    get scoreOf() {
      return state.scoreOf;
    },
    set scoreOf(value) {
      state.scoreOf = value;
    },
    get tokensPerDocument() {
      return state.tokensPerDocument;
    },
    set tokensPerDocument(value: number) {
      state.tokensPerDocument = value;
    },
    close: () => hanging.close(server),
  };
}
