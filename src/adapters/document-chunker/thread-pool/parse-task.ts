import type { MessagePort } from "node:worker_threads";
import { AppError, UnprocessableDocumentError, UnsupportedMediaTypeError } from "../../../core/errors.js";
import type { ChunkDocumentRequest, DocumentChunks } from "../../../ports/document-chunker.js";

/** What the main thread sends a parse thread: one document, the cap on its extracted text, and a port to say it started. */
export interface ParseTask extends ChunkDocumentRequest {
  maxExtractedChars: number;
  maxPages?: number;
  /** Receives one message when the thread starts the document: the time limit counts from then. */
  started: MessagePort;
}

/** An error as it crosses the thread boundary (class identity does not survive structured cloning). */
export interface SerializedParseError {
  code: string | null;
  message: string;
  details: unknown;
}

/** What a parse thread answers: the chunks, or the error its parse threw. */
export type ParseTaskResult = ({ ok: true } & DocumentChunks) | { ok: false; error: SerializedParseError };

/** The error thrown in a parse thread as a plain object (AppErrors keep code and details). */
export function serializeParseError(error: unknown): SerializedParseError {
  if (error instanceof AppError) return { code: error.code, message: error.message, details: error.details ?? null };
  return { code: null, message: error instanceof Error ? error.message : String(error), details: null };
}

/** The main-thread error for a serialized one: the 422 and 415 of the parser contract, else a plain Error. */
export function deserializeParseError(error: SerializedParseError): Error {
  if (error.code === "unprocessable_document") return new UnprocessableDocumentError(error.message, { details: error.details ?? undefined });
  if (error.code === "unsupported_media_type") return new UnsupportedMediaTypeError(error.message, { details: error.details ?? undefined });
  return new Error(error.message);
}
