import { APIUserAbortError } from "openai";
import { UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from "../core/errors.js";
import { ModelRateLimitedError, ModelRequestRejectedError } from "../adapters/openai/openai-errors.js";
import { CircuitOpenError } from "../wrappers/resilience-policy.js";

export type ModelErrorKind = "timeout" | "rate_limited" | "server_error" | "connection" | "rejected" | "breaker_open" | "invalid_output" | "aborted" | "other";

/**
 * Metric and log label for an error of the model layer, after the adapter mapped it and the
 * resilience policy wrapped it. Lives in compose because it knows both the adapter's errors and the
 * wrapper's (an adapter may not import a wrapper).
 */
export function errorKind(error: unknown): ModelErrorKind {
  if (error instanceof ModelRequestRejectedError) return "rejected";
  if (error instanceof UpstreamTimeoutError) return "timeout";
  if (error instanceof UpstreamUnavailableError) {
    if (error instanceof CircuitOpenError) return "breaker_open";
    if (error instanceof ModelRateLimitedError) return "rate_limited";
    return "connection";
  }
  if (error instanceof UpstreamError) return "server_error";
  if (error instanceof APIUserAbortError || (error instanceof Error && error.name === "AbortError")) return "aborted";
  return "other";
}
