import type { ChunkPoint } from "./chunk-point.js";
import { ConflictError, ValidationError, type ValidationIssue } from "./errors.js";

// Checks every vector store adapter applies before a call reaches its engine, so bad input is the same
// clear ValidationError (HTTP 400) on every store.

const MAX_IDENTIFIER_LENGTH = 1024;
const MAX_DIMENSION = 65_536;
const INT32_MAX = 2_147_483_647;
/** A lexical query term: what core/text produces, so never whitespace (stores split on it) nor control characters. */
const LEXICAL_TERM = /^[^\s\u0000-\u001f\u007f]+$/u;

/**
 * Checks a tenant, document id, source name or point id: a non-empty string of at most 1024
 * characters without control characters. Throws ValidationError naming `path`.
 */
export function assertIdentifier(value: unknown, path: string): asserts value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_IDENTIFIER_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new ValidationError(`Invalid ${path}`, [
      { path, message: `must be a non-empty string of at most ${MAX_IDENTIFIER_LENGTH} characters without control characters` },
    ]);
  }
}

/** Refuses an `ensureCollection` request whose dimension is not an integer in 1..65536 or whose model is blank. */
export function assertValidCollectionOptions(options: { dimension: number; model: string }): void {
  if (!Number.isSafeInteger(options.dimension) || options.dimension <= 0 || options.dimension > MAX_DIMENSION) {
    throw new ValidationError("Invalid embedding dimension", [{ path: "dimension", message: `must be an integer in 1..${MAX_DIMENSION}` }]);
  }
  if (typeof options.model !== "string" || options.model.trim() === "") {
    throw new ValidationError("Invalid embedding model", [{ path: "model", message: "must be a non-empty string" }]);
  }
}

/**
 * Refuses a batch before it reaches the engine: ValidationError for malformed points, ConflictError
 * for a point embedded with another model than the collection's.
 */
export function assertValidPoints(points: readonly ChunkPoint[], collection: { model: string; dimension: number }): void {
  const issues: ValidationIssue[] = [];
  points.forEach((point, index) => {
    const path = `points.${index}`;
    const metadata = point.metadata;
    assertIdentifier(point.id, `${path}.id`);
    assertIdentifier(point.tenant, `${path}.tenant`);
    assertIdentifier(metadata?.documentId, `${path}.metadata.documentId`);
    if (metadata.embeddingModel !== collection.model) {
      throw new ConflictError(`Point embedded with model "${metadata.embeddingModel}" but the collection uses "${collection.model}"`, {
        details: { path: `${path}.metadata.embeddingModel` },
      });
    }
    if (!isVector(point.vector, collection.dimension)) {
      issues.push({ path: `${path}.vector`, message: `must be ${collection.dimension} finite numbers, not all zero` });
    }
    if (typeof point.text !== "string") issues.push({ path: `${path}.text`, message: "must be a string" });
    for (const field of ["chunkIndex", "start", "end"] as const) {
      if (!isInt32(metadata[field], 0)) issues.push({ path: `${path}.metadata.${field}`, message: "must be an integer >= 0" });
    }
    if (metadata.page !== null && !isInt32(metadata.page, 1)) issues.push({ path: `${path}.metadata.page`, message: "must be null or an integer >= 1" });
    if (!Array.isArray(metadata.headingPath) || metadata.headingPath.some((heading) => typeof heading !== "string")) {
      issues.push({ path: `${path}.metadata.headingPath`, message: "must be an array of strings" });
    }
    for (const field of ["title", "source", "contentHash"] as const) {
      if (typeof metadata[field] !== "string") issues.push({ path: `${path}.metadata.${field}`, message: "must be a string" });
    }
  });
  if (issues.length > 0) throw new ValidationError("Invalid points for upsert", issues);
}

/**
 * Refuses a malformed candidates request with ValidationError: `limit` an integer >= 1, `dense` finite
 * numbers not all zero (of `dimension` numbers once the collection's dimension is known), and each of
 * `lexicalTerms` (when given) a non-empty term without whitespace or control characters (core/text
 * terms never hold any) with a finite weight >= 0. The tenant and filter are checked where the adapter
 * builds its filter.
 */
export function assertValidCandidatesRequest(
  request: { dense: number[]; lexicalTerms?: ReadonlyArray<{ term: string; weight: number }>; limit: number },
  dimension?: number,
): void {
  const issues: ValidationIssue[] = [];
  if (!Number.isSafeInteger(request.limit) || request.limit < 1) issues.push({ path: "limit", message: "must be an integer >= 1" });
  if (!isVector(request.dense, request.dense?.length ?? 0)) issues.push({ path: "dense", message: "must be finite numbers, not all zero" });
  else if (dimension !== undefined && request.dense.length !== dimension) {
    issues.push({ path: "dense", message: `expected ${dimension} numbers, got ${request.dense.length}` });
  }
  if (request.lexicalTerms !== undefined) {
    if (!Array.isArray(request.lexicalTerms)) issues.push({ path: "lexicalTerms", message: "must be an array" });
    else
      request.lexicalTerms.forEach((entry: { term: unknown; weight: unknown }, index) => {
        if (typeof entry?.term !== "string" || !LEXICAL_TERM.test(entry.term)) {
          issues.push({ path: `lexicalTerms.${index}.term`, message: "must be a non-empty string without whitespace or control characters" });
        }
        if (typeof entry?.weight !== "number" || !Number.isFinite(entry.weight) || entry.weight < 0) {
          issues.push({ path: `lexicalTerms.${index}.weight`, message: "must be a finite number >= 0" });
        }
      });
  }
  if (issues.length > 0) throw new ValidationError("Invalid candidates request", issues);
}

function isVector(vector: unknown, dimension: number): boolean {
  if (!Array.isArray(vector) || vector.length !== dimension || dimension === 0) return false;
  let nonZero = false;
  for (const value of vector) {
    if (typeof value !== "number" || !Number.isFinite(value)) return false;
    if (value !== 0) nonZero = true;
  }
  return nonZero;
}

function isInt32(value: unknown, minimum: number): boolean {
  return Number.isInteger(value) && (value as number) >= minimum && (value as number) <= INT32_MAX;
}
