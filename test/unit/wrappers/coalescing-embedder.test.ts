import { describe, expect, it } from "vitest";
import { UpstreamError, ValidationError } from "../../../src/core/errors.js";
import type { EmbedOptions, Embedder } from "../../../src/ports/embedder.js";
import { AdaptiveConcurrency } from "../../../src/wrappers/adaptive-concurrency.js";
import { createCoalescingEmbedder } from "../../../src/wrappers/coalescing-embedder.js";

/** An in-memory embedder: the vector of a text is [its length, its first char code]; it records every request. */
function recordingEmbedder(limits: { maxInputsPerCall: number; maxTokensPerCall: number }, behaviour: (texts: string[]) => Promise<void> = async () => {}) {
  const requests: Array<{ texts: string[]; tenant: string | undefined }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const embedder: Embedder = {
    modelId: "recording",
    dimension: 2,
    supportsParallelCalls: true,
    ...limits,
    async embed(texts: string[], options: EmbedOptions = {}) {
      requests.push({ texts, tenant: options.tenant });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await behaviour(texts);
        return texts.map((text) => [text.length, text.charCodeAt(0)]);
      } finally {
        inFlight -= 1;
      }
    },
  };
  return { embedder, requests, maxInFlight: () => maxInFlight };
}

const vectorOf = (text: string) => [text.length, text.charCodeAt(0)];
const words = (text: string) => text.split(" ").length;

describe("createCoalescingEmbedder", () => {
  it("packs the texts of many callers into requests within maxInputsPerCall and maxTokensPerCall, each caller getting its own vectors", async () => {
    const { embedder, requests } = recordingEmbedder({ maxInputsPerCall: 5, maxTokensPerCall: 12 });
    const packed = createCoalescingEmbedder(embedder, { windowMs: 20, countTokens: words });
    const calls = [["a b c", "d e f g"], ["h"], ["i j k l m n"], ["o", "p", "q", "r", "s", "t", "u"]];
    const results = await Promise.all(calls.map((texts) => packed.embed(texts)));
    results.forEach((vectors, index) => expect(vectors).toEqual(calls[index]!.map(vectorOf)));
    // In arrival order: 3 + 4 + 1 tokens, then 6 + 1… no request over 5 texts or 12 tokens, every text sent once.
    for (const request of requests) {
      expect(request.texts.length).toBeLessThanOrEqual(5);
      expect(request.texts.reduce((total, text) => total + words(text), 0)).toBeLessThanOrEqual(12);
    }
    expect(requests.flatMap((request) => request.texts)).toEqual(calls.flat());
    expect(requests.length).toBe(3);
  });

  it("with fill, small calls arriving while a request is out wait for each other instead of leaving one by one", async () => {
    let releaseFirst!: () => void;
    const firstOut = new Promise<void>((resolve) => (releaseFirst = resolve));
    const { embedder, requests } = recordingEmbedder({ maxInputsPerCall: 100, maxTokensPerCall: 1_000 }, async (texts) => {
      if (texts[0] === "first") await firstOut;
    });
    const packed = createCoalescingEmbedder(embedder, { windowMs: 1, fill: { inputs: 4, waitMs: 60_000 } });
    const first = packed.embed(["first"]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The first request is out: these would each leave after 1 ms without fill.
    const later: Array<Promise<number[][]>> = [];
    for (const text of ["b", "c"]) {
      later.push(packed.embed([text]));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(requests.map((request) => request.texts)).toEqual([["first"]]);
    // Reaching fill.inputs sends at once, still while the first request is out.
    later.push(packed.embed(["d", "e"]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requests.map((request) => request.texts)).toEqual([["first"], ["b", "c", "d", "e"]]);
    later.push(packed.embed(["f"]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requests).toHaveLength(2);
    // Once nothing else is out, the small request leaves after windowMs as usual.
    releaseFirst();
    expect(await first).toEqual([vectorOf("first")]);
    expect(await Promise.all(later)).toEqual([[vectorOf("b")], [vectorOf("c")], [vectorOf("d"), vectorOf("e")], [vectorOf("f")]]);
    expect(requests.map((request) => request.texts)).toEqual([["first"], ["b", "c", "d", "e"], ["f"]]);
  });

  it("refuses a text that could never fit in one request", async () => {
    const { embedder, requests } = recordingEmbedder({ maxInputsPerCall: 5, maxTokensPerCall: 3 });
    await expect(createCoalescingEmbedder(embedder, { windowMs: 1, countTokens: words }).embed(["a b c d"])).rejects.toBeInstanceOf(ValidationError);
    expect(requests).toEqual([]);
  });

  it("sends one request per tenant", async () => {
    const { embedder, requests } = recordingEmbedder({ maxInputsPerCall: 100, maxTokensPerCall: 1000 });
    const packed = createCoalescingEmbedder(embedder, { windowMs: 10 });
    await Promise.all([packed.embed(["a"], { tenant: "t1" }), packed.embed(["b"], { tenant: "t2" }), packed.embed(["c"], { tenant: "t1" })]);
    expect(requests.map((request) => [request.tenant, request.texts])).toEqual([
      ["t1", ["a", "c"]],
      ["t2", ["b"]],
    ]);
  });

  it("with a concurrency limit, forms a request only when a slot is free, so texts arriving meanwhile fill the next one", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { embedder, requests, maxInFlight } = recordingEmbedder({ maxInputsPerCall: 4, maxTokensPerCall: 1000 }, () => gate);
    const packed = createCoalescingEmbedder(embedder, { windowMs: 1, concurrency: new AdaptiveConcurrency({ initial: 1, max: 1 }) });
    const first = packed.embed(["a"]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = ["b", "c", "d", "e", "f"].map((text) => packed.embed([text]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requests.map((request) => request.texts)).toEqual([["a"]]);
    release();
    expect(await first).toEqual([vectorOf("a")]);
    expect(await Promise.all(later)).toEqual(["b", "c", "d", "e", "f"].map((text) => [vectorOf(text)]));
    expect(requests.map((request) => request.texts)).toEqual([["a"], ["b", "c", "d", "e"], ["f"]]);
    expect(maxInFlight()).toBe(1);
  });

  it("splits a request refused for one caller's input until that caller is alone: only it fails", async () => {
    const { embedder, requests } = recordingEmbedder({ maxInputsPerCall: 100, maxTokensPerCall: 1000 }, async (texts) => {
      if (texts.includes("poison")) throw new ValidationError("the endpoint rejected an input");
    });
    const packed = createCoalescingEmbedder(embedder, { windowMs: 10 });
    const callers = ["one", "two", "poison", "four", "five", "six"].map((text) => packed.embed([text, `${text}-2`]));
    const settled = await Promise.allSettled(callers);
    expect(settled.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled"]);
    expect((settled[0] as PromiseFulfilledResult<number[][]>).value).toEqual([vectorOf("one"), vectorOf("one-2")]);
    expect(requests[0]!.texts).toHaveLength(12);
    expect(requests.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(6)));
  });

  it("fails every caller of a request that failed transiently, and no others", async () => {
    let calls = 0;
    const { embedder } = recordingEmbedder({ maxInputsPerCall: 2, maxTokensPerCall: 1000 }, async () => {
      if (++calls === 1) throw new UpstreamError("HTTP 500");
    });
    const packed = createCoalescingEmbedder(embedder, { windowMs: 5 });
    const settled = await Promise.allSettled([packed.embed(["a"]), packed.embed(["b"]), packed.embed(["c"])]);
    expect(settled.map((result) => result.status)).toEqual(["rejected", "rejected", "fulfilled"]);
  });

  it("rejects an aborted caller at once and sends none of its texts", async () => {
    const { embedder, requests } = recordingEmbedder({ maxInputsPerCall: 10, maxTokensPerCall: 1000 });
    const packed = createCoalescingEmbedder(embedder, { windowMs: 30 });
    const controller = new AbortController();
    const aborted = packed.embed(["gone"], { signal: controller.signal });
    const kept = packed.embed(["kept"]);
    controller.abort(new Error("caller left"));
    await expect(aborted).rejects.toThrow("caller left");
    expect(await kept).toEqual([vectorOf("kept")]);
    expect(requests.map((request) => request.texts)).toEqual([["kept"]]);
  });
});
