import { ValidationError } from "../../../core/errors.js";
import { assertIdentifier } from "../../../core/vector-store-validation.js";
import type { SearchFilter } from "../../../ports/vector-store.js";

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
