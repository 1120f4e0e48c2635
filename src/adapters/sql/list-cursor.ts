import { sql, type RawBuilder, type SelectQueryBuilder, type SqlBool } from "kysely";
import { ValidationError } from "../../core/errors.js";

/** Where a newest-first listing stopped: the last row's creation time and id (ties broken by id). */
export interface ListCursor {
  createdAt: string;
  id: string;
}

/** The opaque cursor a client sends back for the next page. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), "utf8").toString("base64url");
}

/** Reads a cursor from `encodeCursor`; anything else is a ValidationError on `cursor` (400). */
export function decodeCursor(cursor: string): ListCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string") {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // Falls through to the validation error.
  }
  throw new ValidationError("Invalid cursor", [{ path: "cursor", message: "Not a cursor returned by a previous page" }]);
}

/** A page size must be a positive integer (ValidationError on `limit` otherwise). */
export function assertPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ValidationError("limit must be a positive integer", [{ path: "limit", message: "Expected a positive integer" }]);
  }
}

/**
 * The keyset condition of the page after `cursor` in a listing ordered `created_at desc, id asc`: rows
 * created before the cursor's row, or at the same time with a larger id. For tables with both columns.
 */
export function afterCursor(cursor: string): RawBuilder<SqlBool> {
  const after = decodeCursor(cursor);
  return sql<SqlBool>`(created_at < ${after.createdAt} or (created_at = ${after.createdAt} and id > ${after.id}))`;
}

/** One page of `limit` items from up to `limit + 1` fetched, with the cursor of the next page when there is one. */
export function pageOf<T extends ListCursor>(fetched: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = fetched.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: fetched.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
}

/**
 * One newest-first page (`created_at desc, id asc`) of an already-filtered query on a table with both
 * columns: checks the limit, applies the cursor, fetches one row more than the page to know whether
 * another page follows, and maps the rows.
 */
export async function newestFirstPage<DB, TB extends keyof DB, O, T extends ListCursor>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: { limit: number; cursor?: string | null },
  fromRow: (row: O) => T,
): Promise<{ items: T[]; nextCursor: string | null }> {
  assertPageLimit(page.limit);
  const filtered = page.cursor ? query.where(afterCursor(page.cursor)) : query;
  const rows = await filtered
    .orderBy(sql`created_at`, "desc")
    .orderBy(sql`id`, "asc")
    .limit(page.limit + 1)
    .execute();
  return pageOf(rows.map(fromRow), page.limit);
}
