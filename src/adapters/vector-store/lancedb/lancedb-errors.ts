import { AppError, UpstreamTimeoutError, UpstreamUnavailableError } from "../../../core/errors.js";

/**
 * Maps a failure of the LanceDB engine to the error taxonomy: AppErrors pass through, query timeouts
 * become UpstreamTimeoutError, everything else UpstreamUnavailableError. The engine's message (which
 * carries Rust source paths) stays in `cause` only, never in the message.
 */
export function toVectorStoreError(operation: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/timeout|timed out/i.test(message)) {
    return new UpstreamTimeoutError(`LanceDB ${operation} timed out`, { cause: error, retryAfterSeconds: 1 });
  }
  return new UpstreamUnavailableError(`LanceDB ${operation} failed`, { cause: error, retryAfterSeconds: 1 });
}

/** Runs one engine call and maps its failure with {@link toVectorStoreError}. */
export async function callEngine<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toVectorStoreError(operation, error);
  }
}
