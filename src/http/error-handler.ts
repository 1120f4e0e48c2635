import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError, ValidationError } from "../core/errors.js";
import type { AppEnv } from "./app-env.js";

/** The one place errors become HTTP: AppError → its status; anything else → 500 with the cause logged. */
export function handleError(error: Error, context: Context<AppEnv>): Response {
  const requestId = context.get("requestId") ?? null;
  if (error instanceof AppError) {
    if (error.retryAfterSeconds !== undefined) context.header("Retry-After", String(Math.ceil(error.retryAfterSeconds)));
    const body = { error: { code: error.code, message: error.message, details: error.details ?? null }, request_id: requestId };
    return context.json(body, error.status as 400);
  }
  if (error instanceof HTTPException && error.status < 500) {
    const mapped = error.status === 400 ? new ValidationError(error.message || "bad request") : null;
    const body = { error: { code: mapped?.code ?? "bad_request", message: error.message || "bad request", details: null }, request_id: requestId };
    return context.json(body, error.status);
  }
  context.get("logger")?.error({ err: error, requestId }, "unhandled error");
  return context.json({ error: { code: "internal_error", message: "internal server error", details: null }, request_id: requestId }, 500);
}
