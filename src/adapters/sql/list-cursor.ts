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
