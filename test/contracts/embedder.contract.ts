import { afterEach, describe, expect } from "vitest";
import type { Embedder } from "../../src/ports/embedder.js";
import { contractCases, type ContractOptions } from "../helpers/contract-suite.js";

/** Embedders of one model (and whatever serves them, e.g. a stand-in server), and how to stop it. */
export interface EmbedderFixture {
  /** A new embedder instance of the same model. */
  open(): Embedder | Promise<Embedder>;
  cleanup(): Promise<void>;
}

export const embedderContractTests = [
  "declares its capabilities as data",
  "returns one unit vector of the declared dimension per text, in input order",
  "the same text gives the same vector across calls and instances",
  "different texts give different vectors",
  "an empty list gives an empty list",
  "accepts a full call of maxInputsPerCall texts",
  "calls in flight at once each get their own vectors",
  "rejects when the signal is already aborted",
] as const;

export type EmbedderContractTest = (typeof embedderContractTests)[number];

const TEXTS = [
  "Photosynthesis takes place in the chloroplasts of green plants.",
  "The Normans gave their name to Normandy, a region in France.",
  "Invoices are payable within thirty days of receipt.",
  "A Kubernetes deployment manages a replicated set of pods.",
  "Grüße aus Zürich: 世界 🌍",
];

function norm(vector: number[]): number {
  return Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
}

/** The `Embedder` port's contract (see src/ports/embedder.ts), run once per adapter. */
export function runEmbedderContract(options: ContractOptions<EmbedderFixture, EmbedderContractTest>): void {
  describe(`Embedder contract: ${options.name}`, () => {
    const test = contractCases(embedderContractTests, options.skip);
    let fixture: EmbedderFixture | undefined;

    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    async function open(): Promise<Embedder> {
      fixture ??= await options.create();
      return fixture.open();
    }

    test("declares its capabilities as data", async () => {
      const embedder = await open();
      expect(typeof embedder.modelId).toBe("string");
      expect(embedder.modelId.length).toBeGreaterThan(0);
      expect(Number.isInteger(embedder.dimension) && embedder.dimension > 0).toBe(true);
      expect(Number.isInteger(embedder.maxInputsPerCall) && embedder.maxInputsPerCall >= 1).toBe(true);
      const tokens = embedder.maxTokensPerCall;
      expect((Number.isInteger(tokens) || tokens === Number.POSITIVE_INFINITY) && tokens >= 1).toBe(true);
      expect(typeof embedder.supportsParallelCalls).toBe("boolean");
      const again = await open();
      const capabilities = (of: Embedder) => [of.modelId, of.dimension, of.maxInputsPerCall, of.maxTokensPerCall, of.supportsParallelCalls];
      expect(capabilities(again)).toEqual(capabilities(embedder));
    });

    test("returns one unit vector of the declared dimension per text, in input order", async () => {
      const embedder = await open();
      const batch = await embedder.embed(TEXTS);
      expect(batch).toHaveLength(TEXTS.length);
      for (const [index, vector] of batch.entries()) {
        expect(vector).toHaveLength(embedder.dimension);
        expect(vector.every(Number.isFinite)).toBe(true);
        expect(norm(vector)).toBeCloseTo(1, 6);
        const [alone] = await embedder.embed([TEXTS[index]!]);
        alone!.forEach((value, position) => expect(value).toBeCloseTo(vector[position]!, 6));
      }
      const reversed = await embedder.embed([...TEXTS].reverse());
      expect(reversed).toEqual([...batch].reverse());
    });

    test("the same text gives the same vector across calls and instances", async () => {
      const first = await open();
      const [once] = await first.embed([TEXTS[1]!]);
      const [twice] = await first.embed([TEXTS[1]!]);
      const [elsewhere] = await (await open()).embed([TEXTS[1]!]);
      expect(twice).toEqual(once);
      expect(elsewhere).toEqual(once);
    });

    test("different texts give different vectors", async () => {
      const embedder = await open();
      const vectors = await embedder.embed(TEXTS);
      const distinct = new Set(vectors.map((vector) => JSON.stringify(vector)));
      expect(distinct.size).toBe(TEXTS.length);
    });

    test("an empty list gives an empty list", async () => {
      expect(await (await open()).embed([])).toEqual([]);
    });

    test("accepts a full call of maxInputsPerCall texts", async () => {
      const embedder = await open();
      const texts = Array.from({ length: embedder.maxInputsPerCall }, (_, index) => `passage number ${index} about topic ${index % 17}`);
      const vectors = await embedder.embed(texts);
      expect(vectors).toHaveLength(texts.length);
      expect(vectors.every((vector) => vector.length === embedder.dimension)).toBe(true);
      expect(vectors[5]).toEqual((await embedder.embed([texts[5]!]))[0]);
    });

    test("calls in flight at once each get their own vectors", async () => {
      const embedder = await open();
      const one = await Promise.all(TEXTS.map((text) => embedder.embed([text])));
      expect(one.map(([vector]) => vector)).toEqual(await embedder.embed(TEXTS));
    });

    test("rejects when the signal is already aborted", async () => {
      const embedder = await open();
      const controller = new AbortController();
      controller.abort(new Error("stop"));
      await expect(embedder.embed(["text"], { signal: controller.signal })).rejects.toThrow();
    });

    test.assertAllDeclared();
  });
}
