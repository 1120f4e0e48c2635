import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "../core/errors.js";
import type { AppEnv } from "./app-env.js";

// Hono's own client errors (e.g. a body its validators could not parse) in our codes.
const HTTP_EXCEPTION_CODES: Record<number, string> = {
  400: "validation_error",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/** The one place errors become HTTP: AppError → its status; anything else → 500 with the cause logged. */
export function handleError(error: Error, context: Context<AppEnv>): Response {
  const requestId = context.get("requestId") ?? null;
  if (error instanceof AppError) {
    if (error.retryAfterSeconds !== undefined) context.header("Retry-After", String(Math.ceil(error.retryAfterSeconds)));
    const body = { error: { code: error.code, message: error.message, details: error.details ?? null }, request_id: requestId };
    return context.json(body, error.status as 400);
  }
  if (error instanceof HTTPException && error.status < 500) {
    const message = error.message || "bad request";
    const code = HTTP_EXCEPTION_CODES[error.status] ?? "bad_request";
    const details = code === "validation_error" ? { issues: [{ path: "", message }] } : null;
    return context.json({ error: { code, message, details }, request_id: requestId }, error.status);
  }
  context.get("logger")?.error({ err: error, requestId }, "unhandled error");
  return context.json({ error: { code: "internal_error", message: "internal server error", details: null }, request_id: requestId }, 500);
}
