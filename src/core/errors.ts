/**
 * One error taxonomy for the whole service. Domain code throws these; the HTTP layer's
 * single `onError` maps them to status codes (see DESIGN.md). Anything that is not an
 * AppError is a bug and becomes a generic 500 with the cause logged.
 */
export type ErrorCode =
  | "validation_error"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  | "unsupported_media_type"
  | "unprocessable_document"
  | "upstream_error"
  | "upstream_unavailable"
  | "upstream_timeout";

export interface AppErrorOptions {
  details?: unknown;
  cause?: unknown;
  /** Seconds a client should wait before retrying (503). */
  retryAfterSeconds?: number;
}

export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly status: number;
  /** True when retrying the same operation later may succeed (used by queues and retries). */
  readonly transient: boolean = false;
  readonly details: unknown;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface ValidationIssue {
  path: string;
  message: string;
}

export class ValidationError extends AppError {
  readonly code = "validation_error";
  readonly status = 400;
  constructor(message: string, issues: ValidationIssue[] = [], options: AppErrorOptions = {}) {
    super(message, { ...options, details: { issues } });
  }
}

export class UnauthorizedError extends AppError {
  readonly code = "unauthorized";
  readonly status = 401;
}

/** The key is valid but lacks the scope the request needs. */
export class ForbiddenError extends AppError {
  readonly code = "forbidden";
  readonly status = 403;
}

/** A rate limit, concurrency cap or token budget was reached; `retryAfterSeconds` says when to come back. */
export class RateLimitedError extends AppError {
  readonly code = "rate_limited";
  readonly status = 429;
  override readonly transient = true;
}

export class NotFoundError extends AppError {
  readonly code = "not_found";
  readonly status = 404;
}

export class ConflictError extends AppError {
  readonly code = "conflict";
  readonly status = 409;
}

export class PayloadTooLargeError extends AppError {
  readonly code = "payload_too_large";
  readonly status = 413;
}

export class UnsupportedMediaTypeError extends AppError {
  readonly code = "unsupported_media_type";
  readonly status = 415;
}

export class UnprocessableDocumentError extends AppError {
  readonly code = "unprocessable_document";
  readonly status = 422;
}

export class UpstreamError extends AppError {
  readonly code = "upstream_error";
  readonly status = 502;
  override readonly transient = true;
}

export class UpstreamUnavailableError extends AppError {
  readonly code = "upstream_unavailable";
  readonly status = 503;
  override readonly transient = true;
}

export class UpstreamTimeoutError extends AppError {
  readonly code = "upstream_timeout";
  readonly status = 504;
  override readonly transient = true;
}

/** Turns zod issues into `{path, message}` pairs with dotted paths (e.g. `filter.title`). */
export function issuesFromZod(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): ValidationIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map((segment) => String(segment)).join("."),
    message: issue.message,
  }));
}

/** Errors that are worth retrying: our transient AppErrors and anything that is not an AppError (I/O, crashes). */
export function isTransientError(error: unknown): boolean {
  if (error instanceof AppError) return error.transient;
  return true;
}
