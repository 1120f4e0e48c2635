import { PayloadTooLargeError, ValidationError } from "../core/errors.js";
import type { UploadEntry } from "../use-cases/submit-upload-batch.js";
import { jsonEntry } from "./read-uploads.js";

/**
 * The items of an `application/x-ndjson` body, one JSON document per line (`{text, title?,
 * metadata?, source?, id?}`), read as the body streams in and yielded one by one, so the caller
 * stores each before the next is read. Blank lines are skipped; a line that is not JSON, or not a
 * valid document, is a refused entry naming its line. Past `maxBytes` bytes or `maxDocuments`
 * items it throws PayloadTooLargeError (the items before stay yielded).
 */
export async function* readNdjsonEntries(
  body: ReadableStream<Uint8Array> | null,
  limits: { maxBytes: number; maxDocuments: number },
): AsyncGenerator<UploadEntry> {
  if (!body) throw new ValidationError("empty body", [{ path: "", message: "send one JSON document per line" }]);
  const decoder = new TextDecoder("utf-8");
  let pending = "";
  let bytes = 0;
  let lineNumber = 0;
  let position = 0;

  function* entriesOf(lines: string[]): Generator<UploadEntry> {
    for (const raw of lines) {
      lineNumber += 1;
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.trim() === "") continue;
      if (position >= limits.maxDocuments) {
        throw new PayloadTooLargeError(`more than upload.maxDocumentsPerRequest (${limits.maxDocuments}) documents, at line ${lineNumber}`, {
          details: { max_documents: limits.maxDocuments, line: lineNumber },
        });
      }
      yield entryOf(line, position, lineNumber);
      position += 1;
    }
  }

  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > limits.maxBytes) {
        throw new PayloadTooLargeError(`request body exceeds upload.maxBytes (${limits.maxBytes} bytes)`, { details: { max_bytes: limits.maxBytes } });
      }
      pending += decoder.decode(value, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      yield* entriesOf(lines);
    }
    pending += decoder.decode();
    yield* entriesOf([pending]);
  } finally {
    // Stops reading a body that is abandoned (limit, error): nothing more is buffered for it.
    await reader.cancel().catch(() => undefined);
  }
  if (position === 0) throw new ValidationError("no documents", [{ path: "", message: "send at least one JSON document, one per line" }]);
}

function entryOf(line: string, position: number, lineNumber: number): UploadEntry {
  let document: unknown;
  try {
    document = JSON.parse(line);
  } catch {
    const refused = new ValidationError("not valid JSON", [{ path: `line ${lineNumber}`, message: "not valid JSON" }]);
    return { position, name: null, line: lineNumber, refused };
  }
  return jsonEntry(document, position, `line ${lineNumber}`, lineNumber);
}
