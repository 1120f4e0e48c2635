import { createHash } from "node:crypto";
import { v5 as uuidv5 } from "uuid";
import { decodeText } from "./text/decode-text.js";

// Fixed namespace so point ids are stable across processes, restarts and machines.
const POINT_NAMESPACE = "6f1d3c2a-8b7e-5d4c-9a1b-2c3d4e5f6a7b";

/** External document ids: what a caller may put in `PUT /v1/documents/{id}` or JSON `id`. */
export const DOCUMENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Text documents are compared decoded as the parsers decode them (BOM, UTF-16, LF line endings), after NFC and trimming; PDFs byte for byte. */
export function normalizedContent(bytes: Uint8Array, mediaType: string): string | Uint8Array {
  if (mediaType === "application/pdf") return bytes;
  return decodeText(bytes).normalize("NFC").trim();
}

/** Default document id: derived from tenant and normalised content, so the same upload is the same document. */
export function deriveDocumentId(tenant: string, content: string | Uint8Array): string {
  const hash = createHash("sha256").update(tenant).update("\u0000").update(content).digest("hex");
  return `doc_${hash.slice(0, 32)}`;
}

/** UUIDv5(tenant, document id, chunk index): replays and retries write the same point ids. */
export function pointId(tenant: string, documentId: string, chunkIndex: number): string {
  return uuidv5(`${tenant}\u0000${documentId}\u0000${chunkIndex}`, POINT_NAMESPACE);
}

/** One job per document revision: concurrent identical uploads share it; a replacement gets a new one. */
export function ingestJobId(tenant: string, documentId: string, revision: number): string {
  return `ingest:${sha256Hex(`${tenant}\u0000${documentId}`).slice(0, 24)}:${revision}`;
}
