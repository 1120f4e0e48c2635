import type { Schemas } from "@qdrant/js-client-rest";
import { ValidationError } from "../../../core/errors.js";
import { assertIdentifier } from "../../../core/vector-store-validation.js";
import type { SearchFilter } from "../../../ports/vector-store.js";

export type QdrantFilter = Schemas["Filter"];
type Condition = Schemas["FieldCondition"];

/** Payload keys this adapter writes and filters on (the `metadata.*` layout is LangChain's). */
export const PAYLOAD_KEYS = {
  tenant: "tenant",
  text: "page_content",
  metadata: "metadata",
  documentId: "metadata.documentId",
  source: "metadata.source",
  chunkIndex: "metadata.chunkIndex",
} as const;

function matchValue(key: string, value: string): Condition {
  return { key, match: { value } };
}

/** Filter on one tenant: the condition every read and delete of this adapter starts from. */
export function tenantFilter(tenant: string): QdrantFilter {
  assertIdentifier(tenant, "tenant");
  return { must: [matchValue(PAYLOAD_KEYS.tenant, tenant)] };
}

/**
 * Tenant plus the optional search filter (documentIds, sources), or null when the filter restricts to
 * nothing (an empty list), so the caller can answer "no hits" without asking Qdrant. Values are
 * de-duplicated: Qdrant's `match.any` requires unique items.
 */
export function buildSearchFilter(tenant: string, filter: SearchFilter | undefined): QdrantFilter | null {
  const must: Condition[] = [matchValue(PAYLOAD_KEYS.tenant, tenant)];
  assertIdentifier(tenant, "tenant");
  const anyOf = (key: string, values: string[] | undefined, path: string): boolean => {
    if (values === undefined) return true;
    if (values.length === 0) return false;
    values.forEach((value, index) => assertIdentifier(value, `${path}.${index}`));
    must.push({ key, match: { any: [...new Set(values)] } });
    return true;
  };
  if (!anyOf(PAYLOAD_KEYS.documentId, filter?.documentIds, "filter.documentIds")) return null;
  if (!anyOf(PAYLOAD_KEYS.source, filter?.sources, "filter.sources")) return null;
  return { must };
}

/** One document of a tenant, optionally only its chunks with chunkIndex >= fromChunkIndex. */
export function buildDocumentFilter(tenant: string, documentId: string, fromChunkIndex?: number): QdrantFilter {
  assertIdentifier(tenant, "tenant");
  assertIdentifier(documentId, "documentId");
  const must: Condition[] = [matchValue(PAYLOAD_KEYS.tenant, tenant), matchValue(PAYLOAD_KEYS.documentId, documentId)];
  if (fromChunkIndex !== undefined) {
    if (!Number.isSafeInteger(fromChunkIndex) || fromChunkIndex < 0) {
      throw new ValidationError("Invalid fromChunkIndex", [{ path: "fromChunkIndex", message: "must be an integer >= 0" }]);
    }
    must.push({ key: PAYLOAD_KEYS.chunkIndex, range: { gte: fromChunkIndex } });
  }
  return { must };
}
