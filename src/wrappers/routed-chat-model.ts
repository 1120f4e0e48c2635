import type { ChatModel } from "../ports/chat-model.js";
import type { ResiliencePolicy } from "./resilience-policy.js";

/**
 * Routes to `primary`, or to `fallback` once the primary's breaker (`primaryPolicy`) is open, and
 * for the call whose failure opened it. Without a fallback it returns `primary` itself. `modelId`
 * names the model that would serve the next call; results carry the model that actually answered.
 * A stream falls back only if it failed before its first part.
 */
export function createRoutedChatModel(options: { primary: ChatModel; primaryPolicy: ResiliencePolicy; fallback: ChatModel | null }): ChatModel {
  const { primary, primaryPolicy, fallback } = options;
  if (!fallback) return primary;
  const primaryOpen = () => primaryPolicy.breakerState === "open";
  const current = () => (primaryOpen() ? fallback : primary);
  // A router over two ports rather than a decorator of one: its modelId follows the breaker, so it is not built with wrapPort.
  return {
    get modelId() {
      return current().modelId;
    },
    async generate(request) {
      const model = current();
      try {
        return await model.generate(request);
      } catch (error) {
        if (model === primary && primaryOpen()) return fallback.generate(request);
        throw error;
      }
    },
    async *stream(request) {
      const model = current();
      let started = false;
      try {
        for await (const part of model.stream(request)) {
          started = true;
          yield part;
        }
      } catch (error) {
        if (started || model !== primary || !primaryOpen()) throw error;
        yield* fallback.stream(request);
      }
    },
  };
}
