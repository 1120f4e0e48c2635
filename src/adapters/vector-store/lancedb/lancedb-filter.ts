import { ValidationError } from "../../../core/errors.js";
import type { SearchFilter } from "../../../ports/vector-store.js";

const MAX_IDENTIFIER_LENGTH = 1024;

/**
 * Checks a tenant, document id or source name before it enters a SQL predicate: a non-empty
 * string of at most 1024 characters without control characters. Throws ValidationError naming `path`.
 */
export function assertIdentifier(value: unknown, path: string): asserts value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_IDENTIFIER_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new ValidationError(`Invalid ${path}`, [
      { path, message: `must be a non-empty string of at most ${MAX_IDENTIFIER_LENGTH} characters without control characters` },
    ]);
  }
}

/** A SQL string literal for LanceDB predicates: single quotes doubled, whole value quoted. */
export function sqlStringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Predicate restricting rows to one tenant plus the optional filter. An empty `documentIds` or
 * `sources` list restricts to nothing (so the predicate matches no row), never to "everything".
 */
export function buildSearchPredicate(tenant: string, filter: SearchFilter | undefined): string {
  assertIdentifier(tenant, "tenant");
  const clauses = [`tenant = ${sqlStringLiteral(tenant)}`];
  const inList = (column: string, values: string[] | undefined, path: string) => {
    if (values === undefined) return;
    if (values.length === 0) {
      clauses.push("FALSE");
      return;
    }
    values.forEach((value, index) => assertIdentifier(value, `${path}.${index}`));
    clauses.push(`${column} IN (${values.map(sqlStringLiteral).join(", ")})`);
  };
  inList("document_id", filter?.documentIds, "filter.documentIds");
  inList("source", filter?.sources, "filter.sources");
  return clauses.join(" AND ");
}

/** Predicate for one document of a tenant, optionally only its chunks from `fromChunkIndex` on. */
export function buildDocumentPredicate(tenant: string, documentId: string, fromChunkIndex?: number): string {
  assertIdentifier(tenant, "tenant");
  assertIdentifier(documentId, "documentId");
  const predicate = `tenant = ${sqlStringLiteral(tenant)} AND document_id = ${sqlStringLiteral(documentId)}`;
  if (fromChunkIndex === undefined) return predicate;
  if (!Number.isSafeInteger(fromChunkIndex) || fromChunkIndex < 0) {
    throw new ValidationError("Invalid fromChunkIndex", [{ path: "fromChunkIndex", message: "must be an integer >= 0" }]);
  }
  return `${predicate} AND chunk_index >= ${fromChunkIndex}`;
}
