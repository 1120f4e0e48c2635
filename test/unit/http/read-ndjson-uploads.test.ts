import { describe, expect, it } from "vitest";
import { PayloadTooLargeError, ValidationError } from "../../../src/core/errors.js";
import { readNdjsonEntries } from "../../../src/http/read-ndjson-uploads.js";
import type { UploadEntry } from "../../../src/use-cases/submit-upload-batch.js";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>, limits = { maxBytes: 1_000_000, maxDocuments: 100 }) {
  const entries: UploadEntry[] = [];
  try {
    for await (const entry of readNdjsonEntries(body, limits)) entries.push(entry);
    return { entries, error: null };
  } catch (error) {
    return { entries, error };
  }
}

describe("readNdjsonEntries", () => {
  it("splits lines across chunks, keeps a character split between chunks whole, skips blank lines and takes a last line without newline", async () => {
    const bytes = new TextEncoder().encode(`{"text":"café au lait"}\r\n\n   \n{"text":"second","source":"b.md"}`);
    const split = bytes.indexOf(0xc3) + 1; // inside the two bytes of "é"
    const { entries, error } = await collect(streamOf([bytes.slice(0, 5), bytes.slice(5, split), bytes.slice(split)]));
    expect(error).toBeNull();
    expect(entries.map((entry) => [entry.position, entry.line, entry.name, new TextDecoder().decode(entry.item?.bytes)])).toEqual([
      [0, 1, null, "café au lait"],
      [1, 4, "b.md", "second"],
    ]);
  });

  it("refuses a line that is not JSON, or not a valid document, naming its line, and reads on", async () => {
    const text = ['{"text":"ok"}', "{oops", '{"text":"", "extra":1}', '{"text":"fine"}'].join("\n");
    const { entries } = await collect(streamOf([new TextEncoder().encode(text)]));
    expect(entries.map((entry) => (entry.item ? "item" : entry.refused?.message))).toEqual([
      "item",
      "not valid JSON",
      expect.stringMatching(/line 3\.text.*line 3/s),
      "item",
    ]);
    expect(entries[2]!.refused).toBeInstanceOf(ValidationError);
  });

  it("stops with PayloadTooLargeError past the byte or item limit, after yielding what came before", async () => {
    const line = new TextEncoder().encode(`${JSON.stringify({ text: "x".repeat(80) })}\n`);
    const bytes = await collect(streamOf([line, line, line]), { maxBytes: line.byteLength * 2 + 1, maxDocuments: 100 });
    expect(bytes.entries).toHaveLength(2);
    expect(bytes.error).toBeInstanceOf(PayloadTooLargeError);
    const items = await collect(streamOf([line, line, line]), { maxBytes: 1_000_000, maxDocuments: 2 });
    expect(items.entries).toHaveLength(2);
    expect((items.error as PayloadTooLargeError).details).toEqual({ max_documents: 2, line: 3 });
  });

  it("refuses a body with no document at all", async () => {
    const { error } = await collect(streamOf([new TextEncoder().encode("\n\n")]));
    expect(error).toBeInstanceOf(ValidationError);
  });
});
