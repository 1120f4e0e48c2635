import { QdrantClientResourceExhaustedError, QdrantClientTimeoutError, QdrantClientUnexpectedResponseError } from "@qdrant/js-client-rest";
import { AppError, UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from "../../../core/errors.js";

const MAX_DETAIL_CHARACTERS = 300;
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** HTTP status of a failed Qdrant call (the client's ApiError carries `status` and the parsed body in `data`), else null. */
export function qdrantStatus(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 100 && status <= 599 ? status : null;
}

/**
 * Maps a failure of a Qdrant call to the error taxonomy. AppErrors pass through; client timeouts and
 * 408/504 → UpstreamTimeoutError; refused/reset connections, 429, 502 and 503 → UpstreamUnavailableError;
 * other statuses → UpstreamError carrying Qdrant's own error text (`status.error`, shortened). Request
 * headers — and so the API key — never reach a message; the original error stays in `cause`.
 */
export function toQdrantError(operation: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof QdrantClientTimeoutError) {
    return new UpstreamTimeoutError(`Qdrant ${operation} timed out`, { cause: error, retryAfterSeconds: 1 });
  }
  if (error instanceof QdrantClientResourceExhaustedError) {
    return new UpstreamUnavailableError(`Qdrant ${operation} was rate limited`, { cause: error, retryAfterSeconds: Math.max(1, Math.ceil(error.retry_after)) });
  }
  const status = qdrantStatus(error);
  if (status !== null) {
    const detail = qdrantErrorText(error);
    const message = `Qdrant ${operation} failed with HTTP ${status}${detail ? `: ${detail}` : ""}`;
    if (status === 408 || status === 504) return new UpstreamTimeoutError(message, { cause: error, retryAfterSeconds: 1 });
    if (status === 429 || status === 502 || status === 503) return new UpstreamUnavailableError(message, { cause: error, retryAfterSeconds: 1 });
    return new UpstreamError(message, { cause: error, details: { status } });
  }
  if (error instanceof QdrantClientUnexpectedResponseError) {
    return new UpstreamError(`Qdrant ${operation} returned an unexpected response`, { cause: error });
  }
  const code = networkErrorCode(error);
  if (code !== null && TIMEOUT_CODES.has(code)) {
    return new UpstreamTimeoutError(`Qdrant ${operation} timed out`, { cause: error, retryAfterSeconds: 1 });
  }
  const reason = code !== null && CONNECTION_CODES.has(code) ? ` (${code})` : "";
  return new UpstreamUnavailableError(`Qdrant ${operation} failed: Qdrant is unreachable${reason}`, { cause: error, retryAfterSeconds: 1 });
}

/** Runs one Qdrant call and maps its failure with {@link toQdrantError}. */
export async function callQdrant<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toQdrantError(operation, error);
  }
}

/** Qdrant's `{status: {error}}` text from a failed response, single-line and shortened; "" when absent. */
function qdrantErrorText(error: unknown): string {
  const data = (error as { data?: unknown }).data;
  const text = (data as { status?: { error?: unknown } } | null | undefined)?.status?.error;
  if (typeof text !== "string") return "";
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  return clean.length > MAX_DETAIL_CHARACTERS ? `${clean.slice(0, MAX_DETAIL_CHARACTERS)}…` : clean;
}

/** The errno/undici code of a fetch failure (`TypeError: fetch failed` keeps it in `cause`), else null. */
function networkErrorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
