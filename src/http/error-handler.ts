import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
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

/** What the client did to a request we could not read, when that is why it failed. */
type ClientFault = "gone" | "malformed";

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** `error` and the errors it was caused by, outermost first (at most four deep). */
function* causeChain(error: unknown): Generator<unknown> {
  for (let current = error, depth = 0; current && depth < 4; current = (current as { cause?: unknown }).cause, depth++) yield current;
}

/**
 * A body read that failed because the client disconnected (`aborted`, ECONNRESET, premature close) or
 * sent framing Node's HTTP parser refused (HPE_* codes: a malformed chunked body), looking through
 * `cause`. Neither is a server error.
 */
export function clientFaultOf(error: unknown): ClientFault | null {
  for (const current of causeChain(error)) {
    const code = errorCode(current);
    if (code?.startsWith("HPE_")) return "malformed";
    // Node's own abort of a request body ("aborted", ECONNRESET); a reset from a database is not this.
    if (code === "ERR_STREAM_PREMATURE_CLOSE" || (current as Error).message === "aborted") return "gone";
  }
  return null;
}

// Errors of a dependency that cannot be reached (PostgreSQL, Redis): node's socket codes, PostgreSQL's
// connection-exception and operator-intervention SQLSTATEs, ioredis's closed-connection errors.
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE", "EAI_AGAIN"]);
const UNREACHABLE_SQLSTATE = /^(08|57P0[1-3]|53300)/;
const UNREACHABLE_MESSAGES =
  /^(Connection is closed\.|Connection terminated|timeout exceeded when trying to connect|Reached the max retries per request limit)/;

/** Whether `error` (or its cause) says a dependency could not be reached, rather than that we failed. */
export function isDependencyUnreachable(error: unknown): boolean {
  for (const current of causeChain(error)) {
    const code = errorCode(current);
    if (code && (UNREACHABLE_CODES.has(code) || UNREACHABLE_SQLSTATE.test(code))) return true;
    if (current instanceof Error && (UNREACHABLE_MESSAGES.test(current.message) || current.name === "MaxRetriesPerRequestError")) return true;
  }
  return false;
}

/** Status for a request whose client went away first (nginx's convention; nobody receives it). */
const CLIENT_CLOSED_REQUEST = 499 as ContentfulStatusCode;

/** The one place errors become HTTP: AppError → its status; anything else → 500 with the cause logged. */
export function handleError(error: Error, context: Context<AppEnv>): Response {
  const requestId = context.get("requestId") ?? null;
  const fault = clientFaultOf(error);
  if (fault === "gone") {
    context.get("logger")?.info({ requestId, reason: error.message }, "client went away before its request was read");
    return context.json(
      { error: { code: "client_closed_request", message: "the client closed the connection", details: null }, request_id: requestId },
      CLIENT_CLOSED_REQUEST,
    );
  }
  if (fault === "malformed") {
    const message = `malformed request body (${errorCode(error) ?? errorCode((error as { cause?: unknown }).cause) ?? "HTTP framing"})`;
    return context.json({ error: { code: "validation_error", message, details: { issues: [{ path: "", message }] } }, request_id: requestId }, 400);
  }
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
  if (isDependencyUnreachable(error)) {
    context.get("logger")?.warn({ requestId, reason: error.message }, "a dependency could not be reached");
    context.header("Retry-After", "1");
    return context.json(
      {
        error: { code: "upstream_unavailable", message: "a dependency (database or cache) cannot be reached; retry shortly", details: null },
        request_id: requestId,
      },
      503,
    );
  }
  context.get("logger")?.error({ err: error, requestId }, "unhandled error");
  return context.json({ error: { code: "internal_error", message: "internal server error", details: null }, request_id: requestId }, 500);
}
