import { AppError, UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from "../../../core/errors.js";
import { ModelRateLimitedError, ModelRequestRejectedError, retryAfterSeconds } from "../../openai/openai-errors.js";

const WHAT = "the reranker";

/**
 * An HTTP error status of the `/rerank` endpoint in the service's taxonomy, as the OpenAI SDK's
 * errors are mapped (openai-errors.ts): 429 → rate limited with its Retry-After (1 s when absent),
 * 503 → unavailable with Retry-After, 504/408 → timeout, other 5xx and 409 → upstream error (all
 * transient), any other 4xx → rejected (not retried). The server's error text is never copied.
 */
export function rerankStatusError(status: number, headers: Headers): AppError {
  const retryAfter = retryAfterSeconds(headers);
  if (status === 429) return new ModelRateLimitedError(`${WHAT} is rate limiting requests`, { retryAfterSeconds: retryAfter ?? 1 });
  if (status === 503) return new UpstreamUnavailableError(`${WHAT} is unavailable (HTTP 503)`, { retryAfterSeconds: retryAfter });
  if (status === 504 || status === 408) return new UpstreamTimeoutError(`${WHAT} timed out (HTTP ${status})`);
  if (status >= 500 || status === 409) return new UpstreamError(`${WHAT} failed (HTTP ${status})`);
  return new ModelRequestRejectedError(`${WHAT} rejected the request (HTTP ${status})`, status);
}

/**
 * A failure of `fetch` itself: an abort (the caller's or the policy's timeout) is passed through
 * untouched so the policy can tell them apart; anything else means the server could not be reached.
 */
export function rerankTransportError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")) return error;
  return new UpstreamUnavailableError(`${WHAT} could not be reached`);
}
