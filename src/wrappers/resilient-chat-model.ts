import { UpstreamTimeoutError } from "../core/errors.js";
import type { ResiliencePolicy } from "./resilience-policy.js";
import type { ChatMessage, ChatModel, ChatResult, TokenUsage } from "../ports/chat-model.js";

type StreamPart = { delta: string } | { usage: TokenUsage };

/**
 * Applies a resilience policy to a chat model. `generate` runs entirely under the policy. A stream
 * is retried only until its first part arrives (nothing has reached the client yet); after that a
 * gap longer than `idleTimeoutMs` between parts ends it with UpstreamTimeoutError.
 */
export class ResilientChatModel implements ChatModel {
  constructor(
    private readonly inner: ChatModel,
    readonly policy: ResiliencePolicy,
    private readonly options: { idleTimeoutMs: number; onError?: (error: unknown) => void },
  ) {}

  get modelId(): string {
    return this.inner.modelId;
  }

  async generate(request: {
    messages: ChatMessage[];
    schema?: Record<string, unknown>;
    schemaName?: string;
    maxTokens?: number;
    signal?: AbortSignal;
  }): Promise<ChatResult> {
    try {
      return await this.policy.execute((signal) => this.inner.generate({ ...request, signal }), request.signal);
    } catch (error) {
      this.options.onError?.(error);
      throw error;
    }
  }

  async *stream(request: { messages: ChatMessage[]; maxTokens?: number; signal?: AbortSignal }): AsyncIterable<StreamPart> {
    const controllers: AbortController[] = [];
    const abortAll = () => controllers.forEach((controller) => controller.abort());
    request.signal?.addEventListener("abort", abortAll, { once: true });
    try {
      const opened = await this.policy
        .execute(async (attemptSignal) => {
          // Each attempt gets its own controller: the policy's signal may abort it while opening, but not once it streams.
          const controller = new AbortController();
          controllers.push(controller);
          const onTimeout = () => controller.abort();
          attemptSignal.addEventListener("abort", onTimeout, { once: true });
          try {
            const iterator = this.inner.stream({ ...request, signal: controller.signal })[Symbol.asyncIterator]();
            const first = await iterator.next();
            return { iterator, first, controller };
          } finally {
            attemptSignal.removeEventListener("abort", onTimeout);
          }
        }, request.signal)
        .catch((error: unknown) => {
          this.options.onError?.(error);
          throw error;
        });
      let next = opened.first;
      while (!next.done) {
        yield next.value;
        next = await this.nextWithin(opened.iterator, opened.controller);
      }
    } finally {
      request.signal?.removeEventListener("abort", abortAll);
      abortAll();
    }
  }

  private async nextWithin(iterator: AsyncIterator<StreamPart>, controller: AbortController): Promise<IteratorResult<StreamPart>> {
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new UpstreamTimeoutError(`the chat model stream stalled for ${this.options.idleTimeoutMs} ms`));
      }, this.options.idleTimeoutMs);
    });
    try {
      return await Promise.race([iterator.next(), idle]);
    } catch (error) {
      this.options.onError?.(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
