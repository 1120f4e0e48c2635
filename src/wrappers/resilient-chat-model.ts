import { UpstreamTimeoutError } from "../core/errors.js";
import type { ResiliencePolicy } from "./resilience-policy.js";
import type { ChatModel, TokenUsage } from "../ports/chat-model.js";
import { wrapPort } from "./wrap-port.js";

type StreamPart = { delta: string } | { usage: TokenUsage };
type StreamRequest = Parameters<ChatModel["stream"]>[0];
type StreamCall = (request: StreamRequest) => AsyncIterable<StreamPart>;

export interface ResilientChatModelOptions {
  /** Longest gap allowed between two parts of a stream once it has started. */
  idleTimeoutMs: number;
  /** Sees the final error of each failed call before it is rethrown. */
  onError?: (error: unknown) => void;
}

/**
 * Runs `chat` under `policy`. `generate` runs entirely under the policy. A stream is retried only
 * until its first part arrives (nothing has reached the client yet); after that a gap longer than
 * `idleTimeoutMs` between parts ends it with UpstreamTimeoutError.
 */
export function createResilientChatModel(chat: ChatModel, policy: ResiliencePolicy, options: ResilientChatModelOptions): ChatModel {
  return wrapPort(chat, {
    generate: (next) => async (request) => {
      try {
        return await policy.execute((signal) => next({ ...request, signal }), request.signal);
      } catch (error) {
        options.onError?.(error);
        throw error;
      }
    },
    stream: (next) => (request) => resilientStream(next, request, policy, options),
  });
}

async function* resilientStream(
  next: StreamCall,
  request: StreamRequest,
  policy: ResiliencePolicy,
  options: ResilientChatModelOptions,
): AsyncIterable<StreamPart> {
  const controllers: AbortController[] = [];
  const abortAll = () => controllers.forEach((controller) => controller.abort());
  request.signal?.addEventListener("abort", abortAll, { once: true });
  try {
    const opened = await policy
      .execute(async (attemptSignal) => {
        // Each attempt gets its own controller: the policy's signal may abort it while opening, but not once it streams.
        const controller = new AbortController();
        controllers.push(controller);
        const onTimeout = () => controller.abort();
        attemptSignal.addEventListener("abort", onTimeout, { once: true });
        try {
          const iterator = next({ ...request, signal: controller.signal })[Symbol.asyncIterator]();
          const first = await iterator.next();
          return { iterator, first, controller };
        } finally {
          attemptSignal.removeEventListener("abort", onTimeout);
        }
      }, request.signal)
      .catch((error: unknown) => {
        options.onError?.(error);
        throw error;
      });
    let part = opened.first;
    while (!part.done) {
      yield part.value;
      part = await nextWithin(opened.iterator, opened.controller, options);
    }
  } finally {
    request.signal?.removeEventListener("abort", abortAll);
    abortAll();
  }
}

async function nextWithin(
  iterator: AsyncIterator<StreamPart>,
  controller: AbortController,
  options: ResilientChatModelOptions,
): Promise<IteratorResult<StreamPart>> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new UpstreamTimeoutError(`the chat model stream stalled for ${options.idleTimeoutMs} ms`));
    }, options.idleTimeoutMs);
  });
  try {
    return await Promise.race([iterator.next(), idle]);
  } catch (error) {
    options.onError?.(error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
