import type OpenAI from "openai";
import { UpstreamError } from "../../../core/errors.js";
import type { ChatMessage, ChatModel, ChatResult, TokenUsage } from "../../../ports/chat-model.js";
import { mapOpenAiError } from "../../openai/openai-errors.js";

export interface OpenAiChatModelSettings {
  model: string;
  /** `json_schema`: send `response_format` with the schema; `instructions`: rely on the prompt (servers without structured output). */
  structuredOutput: "json_schema" | "instructions";
}

type Completion = OpenAI.Chat.Completions.ChatCompletion;
type CompletionUsage = OpenAI.Completions.CompletionUsage;

function usageOf(usage: CompletionUsage | undefined | null): TokenUsage {
  return {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    cachedTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

/** ChatModel over any OpenAI-compatible `/chat/completions` endpoint; no retries here (the policy wraps it). */
export class OpenAiChatModel implements ChatModel {
  readonly modelId: string;

  constructor(
    private readonly client: OpenAI,
    private readonly settings: OpenAiChatModelSettings,
  ) {
    this.modelId = settings.model;
  }

  async generate(request: {
    messages: ChatMessage[];
    schema?: Record<string, unknown>;
    schemaName?: string;
    maxTokens?: number;
    signal?: AbortSignal;
  }): Promise<ChatResult> {
    const responseFormat =
      request.schema && this.settings.structuredOutput === "json_schema"
        ? { response_format: { type: "json_schema" as const, json_schema: { name: request.schemaName ?? "answer", schema: request.schema, strict: true } } }
        : {};
    let completion: Completion;
    try {
      completion = await this.client.chat.completions.create(
        { model: this.settings.model, messages: request.messages, ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}), ...responseFormat },
        { signal: request.signal },
      );
    } catch (error) {
      throw mapOpenAiError(error, "the chat model endpoint");
    }
    const content = completion.choices?.[0]?.message?.content;
    if (typeof content !== "string") throw new UpstreamError("the chat model endpoint returned no message content");
    // The configured name, not the endpoint's dated variant, so prices and metrics match config.
    return { content, usage: usageOf(completion.usage), model: this.settings.model };
  }

  async *stream(request: { messages: ChatMessage[]; maxTokens?: number; signal?: AbortSignal }): AsyncIterable<{ delta: string } | { usage: TokenUsage }> {
    let finished = false;
    let usage: TokenUsage | null = null;
    try {
      const chunks = await this.client.chat.completions.create(
        {
          model: this.settings.model,
          messages: request.messages,
          stream: true,
          stream_options: { include_usage: true },
          ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
        },
        { signal: request.signal },
      );
      for await (const chunk of chunks) {
        const choice = chunk.choices?.[0];
        const delta = choice?.delta?.content;
        if (delta) yield { delta };
        if (choice?.finish_reason) finished = true;
        if (chunk.usage) usage = usageOf(chunk.usage);
      }
    } catch (error) {
      throw mapOpenAiError(error, "the chat model stream");
    }
    if (!finished) throw new UpstreamError("the chat model stream ended before the answer was complete");
    yield { usage: usage ?? { inputTokens: 0, outputTokens: 0, cachedTokens: 0 } };
  }
}
