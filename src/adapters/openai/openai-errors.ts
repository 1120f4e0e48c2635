import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { AppError, UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError, type AppErrorOptions } from "../../core/errors.js";

/**
 * The endpoint refused the request itself (400, 401, 403, 404, 422): retrying cannot help, so it
 * is not transient, and it does not count toward the breaker. Maps to 502 like other upstream errors.
 */
export class ModelRequestRejectedError extends AppError {
  readonly code = "upstream_error";
  readonly status = 502;
  /** The endpoint's HTTP status (never its message, which may echo credentials or prompts). */
  readonly upstreamStatus: number;
  constructor(message: string, upstreamStatus: number, options: AppErrorOptions = {}) {
    super(message, options);
    this.upstreamStatus = upstreamStatus;
  }
}

/** The endpoint answered 429: transient, with the Retry-After it asked for. */
export class ModelRateLimitedError extends UpstreamUnavailableError {}

/** Seconds from `retry-after-ms` or `retry-after` (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const milliseconds = Number(headers.get("retry-after-ms"));
  if (headers.get("retry-after-ms") !== null && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds / 1000;
  const raw = headers.get("retry-after");
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/**
 * Turns an `openai` SDK error into the service's taxonomy with a message of our own: the provider's
 * error text and the request (which carries the API key) are never copied; only the status is kept.
 * 429 and 503 → UpstreamUnavailableError with Retry-After (transient); other 5xx and 408/409 →
 * UpstreamError (transient); timeouts → UpstreamTimeoutError; connection failures →
 * UpstreamUnavailableError; any other 4xx → ModelRequestRejectedError (not retried).
 */
export function mapOpenAiError(error: unknown, what: string): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof APIUserAbortError) return error;
  if (error instanceof APIConnectionTimeoutError) return new UpstreamTimeoutError(`${what} timed out`);
  if (error instanceof APIConnectionError) return new UpstreamUnavailableError(`${what} could not be reached`);
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    const retryAfter = retryAfterSeconds(error.headers);
    if (status === 429) return new ModelRateLimitedError(`${what} is rate limiting requests`, { retryAfterSeconds: retryAfter ?? 1 });
    if (status === 503) return new UpstreamUnavailableError(`${what} is unavailable (HTTP 503)`, { retryAfterSeconds: retryAfter });
    if (status === 504 || status === 408) return new UpstreamTimeoutError(`${what} timed out (HTTP ${status})`);
    if (status >= 500 || status === 409) return new UpstreamError(`${what} failed (HTTP ${status})`);
    return new ModelRequestRejectedError(`${what} rejected the request (HTTP ${status})`, status);
  }
  if (error instanceof Error && error.name === "AbortError") return error;
  return new UpstreamError(`${what} failed`);
}
