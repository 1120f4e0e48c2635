import { afterAll, describe, expect, it } from "vitest";
import { createInProcessDocumentChunker } from "../../../src/adapters/document-chunker/in-process/in-process-document-chunker.js";
import { createThreadPoolDocumentChunker } from "../../../src/adapters/document-chunker/thread-pool/thread-pool-document-chunker.js";
import { UnprocessableDocumentError, UnsupportedMediaTypeError } from "../../../src/core/errors.js";
import type { ChunkDocumentRequest, DocumentChunker } from "../../../src/ports/document-chunker.js";

const MISBEHAVING_WORKER = new URL("../../helpers/misbehaving-parse-worker.mjs", import.meta.url);
const chunking = { size: 64, overlap: 8 };
const bytes = (text: string) => new TextEncoder().encode(text);
const request = (text: string, mediaType: ChunkDocumentRequest["mediaType"] = "text/plain"): ChunkDocumentRequest => ({
  bytes: bytes(text),
  mediaType,
  chunking,
});
const ORDINARY = "The survey team walked along the river and counted herons before the rain came down.";

async function expectFailure(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => expect.unreachable("the document was chunked"),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UnprocessableDocumentError);
  expect((error as Error).message).toMatch(message);
}

describe("thread-pool document chunker", () => {
  const chunkers: DocumentChunker[] = [];
  const create = (options: Partial<Parameters<typeof createThreadPoolDocumentChunker>[0]> = {}) => {
    const chunker = createThreadPoolDocumentChunker({ threads: 1, timeoutMs: 30_000, maxHeapMb: 256, maxExtractedChars: 1_000_000, ...options });
    chunkers.push(chunker);
    return chunker;
  };
  afterAll(async () => {
    await Promise.all(chunkers.map((chunker) => chunker.close()));
  });

  it("gives the chunks and title the in-process chunker gives", async () => {
    const html = `<html><head><title>Herons</title></head><body><h1>Count</h1>${"<p>The survey team counted herons along the river bank.</p>".repeat(40)}</body></html>`;
    const threaded = await create().chunk(request(html, "text/html"));
    const inProcess = await createInProcessDocumentChunker().chunk(request(html, "text/html"));
    expect(threaded.chunks.length).toBeGreaterThan(1);
    expect(threaded).toEqual(inProcess);
    expect(threaded.parsedTitle).toBe("Herons");
  });

  it("rebuilds the parser's own errors on the calling side, with their class and message", async () => {
    const chunker = create();
    await expectFailure(chunker.chunk(request("   \n  ")), /^empty after parsing$/);
    await expectFailure(chunker.chunk({ bytes: new Uint8Array([0x61, 0xff, 0xfe, 0x62]), mediaType: "text/plain", chunking }), /not valid UTF-8/);
    await expect(chunker.chunk(request("text", "image/png" as ChunkDocumentRequest["mediaType"]))).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
  });

  it("fails a document whose extracted text is over maxExtractedChars, naming the limit, before chunking it", async () => {
    const chunker = create({ maxExtractedChars: 1_000 });
    await expectFailure(chunker.chunk(request("word ".repeat(400))), /2000 characters, over the limit of 1000 \(ingest\.maxExtractedChars\)/);
    expect((await chunker.chunk(request(ORDINARY))).chunks).toHaveLength(1);
  });

  it("fails a document whose thread exits, and parses the next one on a fresh thread", async () => {
    const chunker = create({ workerUrl: MISBEHAVING_WORKER });
    await expectFailure(chunker.chunk(request("EXIT-THE-THREAD please")), /^the parser crashed: /);
    expect((await chunker.chunk(request(ORDINARY))).chunks[0]!.text).toBe(ORDINARY);
  });

  it("stops a parse over the time limit by terminating its thread, and parses the next one", async () => {
    const chunker = create({ workerUrl: MISBEHAVING_WORKER, timeoutMs: 1_500 });
    await expectFailure(chunker.chunk(request("LOOP-FOREVER")), /^parsing took longer than 1500 ms \(ingest\.parseTimeoutMs\) and was stopped$/);
    expect((await chunker.chunk(request(ORDINARY))).chunks[0]!.text).toBe(ORDINARY);
  });

  it("fails a document that exhausts the thread's heap, and parses the next one", async () => {
    const chunker = create({ workerUrl: MISBEHAVING_WORKER, maxHeapMb: 64 });
    await expectFailure(chunker.chunk(request("EAT-THE-HEAP")), /^parsing ran out of memory: it needed more than 64 MB of heap \(ingest\.parseMaxHeapMb\)$/);
    expect((await chunker.chunk(request(ORDINARY))).chunks[0]!.text).toBe(ORDINARY);
  });

  it("runs documents one thread each: with two threads, a looping document does not hold up the other", async () => {
    const chunker = create({ workerUrl: MISBEHAVING_WORKER, threads: 2, timeoutMs: 20_000 });
    const looping = chunker.chunk(request("LOOP-FOREVER"));
    let loopingSettled = false;
    void looping.catch(() => undefined).finally(() => (loopingSettled = true));
    expect((await chunker.chunk(request(ORDINARY))).chunks).toHaveLength(1);
    expect(loopingSettled).toBe(false);
    await chunker.close();
    await expect(looping).rejects.toThrow();
  });
});
