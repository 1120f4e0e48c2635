import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LocalHashEmbedder } from "../../src/adapters/embedder/local/local-hash-embedder.js";
import { hangingResponses, readBody, sendJson } from "./stand-in-http.js";

/**
 * A local stand-in for an OpenAI-compatible endpoint (no network: 127.0.0.1 only), because no real
 * model can run in the test environment. It implements POST /v1/chat/completions (JSON and SSE
 * streaming) and POST /v1/embeddings, records every request, and answers each request with the
 * next scripted behaviour (or the default one).
 */
export type Behaviour =
  | { kind: "ok" }
  | { kind: "content"; content: string }
  | { kind: "invalid-json" }
  | { kind: "schema-invalid" }
  | { kind: "status"; status: number; retryAfter?: string; message?: string }
  | { kind: "hang" }
  | { kind: "cut-stream"; afterDeltas: number }
  /** A grounding-judge reply giving every sentence of the judged answer this support level. */
  | { kind: "verdict"; support: "supported" | "partly" | "unsupported" };

export interface RecordedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: {
    model?: string;
    messages?: Array<{ role: string; content: string }>;
    stream?: boolean;
    response_format?: unknown;
    max_tokens?: number;
    input?: string[];
    dimensions?: number;
  };
  at: number;
}

export interface OpenAiStandIn {
  baseUrl: string;
  requests: RecordedRequest[];
  chatRequests(): RecordedRequest[];
  embeddingRequests(): RecordedRequest[];
  /** Behaviours for the next chat requests, in order; afterwards `defaultChat`. */
  scriptChat(...behaviours: Behaviour[]): void;
  scriptEmbeddings(...behaviours: Behaviour[]): void;
  defaultChat: Behaviour;
  close(): Promise<void>;
}

const embedder = new LocalHashEmbedder({ dimension: 64 });

/** The "model": answers from the first passage it was given, citing it, like a well-behaved model would. */
function correctAnswer(messages: Array<{ role: string; content: string }>): { answer: string; citations: number[]; context_sufficient: boolean } {
  const users = messages.filter((message) => message.role === "user").map((message) => message.content);
  const user = users.find((content) => content.includes("<documents>")) ?? users[0] ?? "";
  // Simulates a model that obeys instructions in the user turn but, as the system prompt asks,
  // treats text quoted inside <documents>…</documents> as data.
  const outsideDocuments = user.replace(/<documents>[\s\S]*<\/documents>/, "");
  if (/ignore (all )?previous instructions/i.test(outsideDocuments)) return { answer: "PWNED", citations: [], context_sufficient: true };
  const first = /<document index="1"[^>]*>\n([\s\S]*?)\n<\/document>/.exec(user);
  if (!first) return { answer: "The documents could not be consulted, so this answer does not come from them.", citations: [], context_sufficient: false };
  const sentence = (first[1] ?? "").split(/(?<=[.!?])\s/)[0] ?? "";
  return { answer: `${sentence} [1]`, citations: [1], context_sufficient: true };
}

/**
 * The "judge": one verdict per numbered sentence of the <answer> block of a judge prompt, citing the
 * sentence's first [n] marker (or none), every sentence given `support` (by default "supported").
 */
function judgeVerdict(messages: Array<{ role: string; content: string }>, support = "supported"): string {
  const user = messages.find((message) => message.role === "user")?.content ?? "";
  const block = /<answer>\n([\s\S]*?)\n<\/answer>/.exec(user)?.[1] ?? "";
  const sentences = block.split("\n").filter((line) => /^\(\d+\) /.test(line));
  const verdicts = sentences.map((line, index) => {
    const marker = /\[(\d+)\]/.exec(line);
    return { index, support, citation: marker ? Number(marker[1]) : null, reason: support === "supported" ? "" : "not stated in the cited passage" };
  });
  return JSON.stringify({ sentences: verdicts });
}

/** A judge prompt is recognised by its system text (prompts/judge.v1.md). */
const isJudgePrompt = (messages: Array<{ role: string; content: string }>) => /grounding judge/.test(messages[0]?.content ?? "");

const USAGE = { prompt_tokens: 120, completion_tokens: 20, total_tokens: 140, prompt_tokens_details: { cached_tokens: 64 } };

export async function startOpenAiStandIn(): Promise<OpenAiStandIn> {
  const chatScript: Behaviour[] = [];
  const embeddingScript: Behaviour[] = [];
  const requests: RecordedRequest[] = [];
  const hanging = hangingResponses();
  const state = { defaultChat: { kind: "ok" } as Behaviour };

  const server: Server = createServer(async (request, response) => {
    const raw = await readBody(request);
    const body = raw ? (JSON.parse(raw) as RecordedRequest["body"]) : {};
    const path = request.url ?? "";
    requests.push({ path, headers: request.headers, body, at: Date.now() });
    const isChat = path.endsWith("/chat/completions");
    const behaviour = (isChat ? chatScript.shift() : embeddingScript.shift()) ?? (isChat ? state.defaultChat : { kind: "ok" });

    if (behaviour.kind === "hang") {
      hanging.hold(response);
      return;
    }
    if (behaviour.kind === "status") {
      const headers: Record<string, string> = behaviour.retryAfter !== undefined ? { "retry-after": behaviour.retryAfter } : {};
      sendJson(response, behaviour.status, { error: { message: behaviour.message ?? `stand-in error ${behaviour.status}`, type: "stand_in" } }, headers);
      return;
    }
    if (!isChat) {
      const input = body.input ?? [];
      const data = input.map((text, index) => ({ object: "embedding", index, embedding: embedder.embedOne(text) }));
      sendJson(response, 200, { object: "list", data, model: body.model, usage: { prompt_tokens: input.length * 5, total_tokens: input.length * 5 } });
      return;
    }

    const messages = body.messages ?? [];
    const structured = correctAnswer(messages);
    const jsonMode = /Reply with exactly one JSON object/.test(messages[0]?.content ?? "");
    let content: string;
    if (behaviour.kind === "content") content = behaviour.content;
    else if (behaviour.kind === "verdict") content = judgeVerdict(messages, behaviour.support);
    else if (behaviour.kind === "ok" && isJudgePrompt(messages)) content = judgeVerdict(messages);
    else if (behaviour.kind === "invalid-json") content = "Sure! Here is the answer: {answer: Etna";
    else if (behaviour.kind === "schema-invalid") content = JSON.stringify({ answer: "", citations: ["one"], extra: true });
    else content = jsonMode ? JSON.stringify(structured) : structured.answer;

    if (!body.stream) {
      sendJson(response, 200, {
        id: "chatcmpl-stand-in",
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: USAGE,
      });
      return;
    }
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const chunk = (delta: Record<string, unknown>, finish: string | null, usage: unknown = null) =>
      `data: ${JSON.stringify({ id: "chatcmpl-stand-in", object: "chat.completion.chunk", created: 0, model: body.model, choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], usage })}\n\n`;
    const pieces = content.match(/.{1,12}/gs) ?? [];
    for (const [index, piece] of pieces.entries()) {
      if (behaviour.kind === "cut-stream" && index >= behaviour.afterDeltas) {
        response.socket?.destroy();
        return;
      }
      response.write(chunk({ content: piece }, null));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    response.write(chunk({}, "stop"));
    response.write(chunk({}, null, USAGE));
    response.end("data: [DONE]\n\n");
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((request) => request.path.endsWith("/chat/completions")),
    embeddingRequests: () => requests.filter((request) => request.path.endsWith("/embeddings")),
    scriptChat: (...behaviours) => chatScript.push(...behaviours),
    scriptEmbeddings: (...behaviours) => embeddingScript.push(...behaviours),
    get defaultChat() {
      return state.defaultChat;
    },
    set defaultChat(value: Behaviour) {
      state.defaultChat = value;
    },
    close: () => hanging.close(server),
  };
}
