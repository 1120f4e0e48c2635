import { ConflictError, ValidationError, type ValidationIssue } from "../../../core/errors.js";
import { assertIdentifier } from "./lancedb-filter.js";
import type { CollectionSettings } from "./lancedb-schema.js";
import type { ChunkPoint, SearchRequest } from "../../../ports/vector-store.js";

const INT32_MAX = 2_147_483_647;

/**
 * Refuses a batch before it reaches the writer (so one bad point never fails other callers' group
 * commit): ValidationError for malformed points, ConflictError for a point embedded with another model.
 */
export function assertValidPoints(points: ChunkPoint[], collection: CollectionSettings): void {
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

/** Refuses a malformed search request with ValidationError (the dimension is checked by the store). */
export function assertValidSearchRequest(request: SearchRequest): void {
  const issues: ValidationIssue[] = [];
  if (!Number.isSafeInteger(request.topK) || request.topK < 1) issues.push({ path: "topK", message: "must be an integer >= 1" });
  if (!Number.isSafeInteger(request.candidateK) || request.candidateK < 1) issues.push({ path: "candidateK", message: "must be an integer >= 1" });
  if (typeof request.minScore !== "number" || Number.isNaN(request.minScore)) issues.push({ path: "minScore", message: "must be a number" });
  if (!isVector(request.dense, request.dense?.length ?? 0)) issues.push({ path: "dense", message: "must be finite numbers, not all zero" });
  if (request.text !== undefined && typeof request.text !== "string") issues.push({ path: "text", message: "must be a string" });
  if (issues.length > 0) throw new ValidationError("Invalid search request", issues);
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
