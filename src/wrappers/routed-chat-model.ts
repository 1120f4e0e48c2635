import type { ChatMessage, ChatModel, ChatResult, TokenUsage } from "../ports/chat-model.js";
import type { ResilientChatModel } from "./resilient-chat-model.js";

/**
 * Routes to the primary model, or to the fallback model once the primary's breaker is open (and
 * for the call whose failure opened it). Without a fallback it is the primary. `modelId` names the
 * model that would serve the next call; results carry the model that actually answered.
 */
export class RoutedChatModel implements ChatModel {
  constructor(
    private readonly primary: ResilientChatModel,
    private readonly fallback: ResilientChatModel | null,
  ) {}

  get modelId(): string {
    return this.current().modelId;
  }

  private current(): ChatModel {
    return this.fallback && this.primary.policy.breakerState === "open" ? this.fallback : this.primary;
  }

  async generate(request: {
    messages: ChatMessage[];
    schema?: Record<string, unknown>;
    schemaName?: string;
    maxTokens?: number;
    signal?: AbortSignal;
  }): Promise<ChatResult> {
    const model = this.current();
    try {
      return await model.generate(request);
    } catch (error) {
      if (model === this.primary && this.fallback && this.primary.policy.breakerState === "open") return this.fallback.generate(request);
      throw error;
    }
  }

  async *stream(request: { messages: ChatMessage[]; maxTokens?: number; signal?: AbortSignal }): AsyncIterable<{ delta: string } | { usage: TokenUsage }> {
    const model = this.current();
    let started = false;
    try {
      for await (const part of model.stream(request)) {
        started = true;
        yield part;
      }
    } catch (error) {
      if (started || model !== this.primary || !this.fallback || this.primary.policy.breakerState !== "open") throw error;
      yield* this.fallback.stream(request);
    }
  }
}
