import type { ChatModel, TokenUsage } from "../ports/chat-model.js";
import type { SpanAttributes, Tracer } from "../ports/tracer.js";
import { modelCallAttributes, modelSpan } from "./model-span.js";
import { tracedStream } from "./traced-stream.js";
import { wrapPort } from "./wrap-port.js";

/**
 * Each chat call in a span `chat <model>` (OTel GenAI attributes: model asked and answered, input,
 * output and cached tokens; outcome). A stream's span lasts until the stream ends, fails or its
 * consumer stops early (`ragline.outcome: cancelled`). With tracing off the model is returned as it is.
 */
export function createTracedChatModel(chat: ChatModel, tracer: Tracer | undefined): ChatModel {
  if (!tracer?.enabled) return chat;
  return wrapPort(chat, {
    generate: (next) => (request) =>
      modelSpan(
        tracer,
        { operation: "chat", model: chat.modelId, attributes: { "ragline.chat.structured": request.schema !== undefined }, signal: request.signal },
        () => next(request),
        (result) => ({ "gen_ai.response.model": result.model, ...usageAttributes(result.usage) }),
      ),
    stream: (next) => (request) => {
      const span = tracer.start(`chat ${chat.modelId}`, modelCallAttributes("chat", chat.modelId, { "ragline.chat.stream": true }), { kind: "client" });
      return tracedStream(span, () => next(request), {
        onPart: (part) => {
          if ("usage" in part) span.setAttributes(usageAttributes(part.usage));
        },
        signal: request.signal,
      });
    },
  });
}

function usageAttributes(usage: TokenUsage): SpanAttributes {
  return {
    "gen_ai.usage.input_tokens": usage.inputTokens,
    "gen_ai.usage.output_tokens": usage.outputTokens,
    "ragline.usage.cached_tokens": usage.cachedTokens,
  };
}
