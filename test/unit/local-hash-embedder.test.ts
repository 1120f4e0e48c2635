import { describe, expect, it } from "vitest";
import { LocalHashEmbedder } from "../../src/adapters/embedder/local/local-hash-embedder.js";

function cosine(left: number[], right: number[]): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += left[index]! * right[index]!;
  return sum;
}

function norm(vector: number[]): number {
  return Math.sqrt(cosine(vector, vector));
}

const PASSAGES = {
  photosynthesis:
    "Photosynthesis is the process by which green plants use sunlight to make glucose from carbon dioxide and water. " +
    "It takes place in the chloroplasts, where chlorophyll absorbs light energy and oxygen is released as a by-product.",
  normans:
    "The Normans were the people who in the 10th and 11th centuries gave their name to Normandy, a region in France. " +
    "They were descended from Norse raiders and pirates from Denmark, Iceland and Norway.",
  invoices:
    "Invoices are payable within thirty days of receipt. Late payments incur a fee of two percent per month, " +
    "and accounts overdue by more than ninety days are suspended until the balance is settled.",
  kubernetes:
    "A Kubernetes deployment manages a replicated set of pods. When a node fails, the controller reschedules " +
    "the missing pods on healthy nodes so that the desired replica count is restored.",
};

const QUESTIONS: Array<{ question: string; answer: keyof typeof PASSAGES }> = [
  { question: "Where in the plant cell does photosynthesis take place?", answer: "photosynthesis" },
  { question: "From which countries did the Norse ancestors of the Normans come?", answer: "normans" },
  { question: "What fee is charged for late invoice payments?", answer: "invoices" },
  { question: "What happens to pods when a Kubernetes node fails?", answer: "kubernetes" },
];

describe("LocalHashEmbedder (the Embedder contract runs in test/contracts/embedder.local.test.ts)", () => {
  const embedder = new LocalHashEmbedder();

  it("exposes its dimension, request limits and a versioned model id that names the dimension", () => {
    expect(embedder.dimension).toBe(512);
    expect(embedder.maxInputsPerCall).toBeGreaterThanOrEqual(1);
    expect(embedder.maxTokensPerCall).toBe(Number.POSITIVE_INFINITY);
    expect(embedder.supportsParallelCalls).toBe(false);
    expect(embedder.modelId).toBe("local-hash-v1-d512");
    const wide = new LocalHashEmbedder({ dimension: 1024 });
    expect(wide.modelId).toBe("local-hash-v1-d1024");
    expect(() => new LocalHashEmbedder({ dimension: 0 })).toThrow(RangeError);
    expect(() => new LocalHashEmbedder({ dimension: 10.5 })).toThrow(RangeError);
  });

  it("scores a question much closer to its answer passage than to unrelated passages", async () => {
    const passageNames = Object.keys(PASSAGES) as Array<keyof typeof PASSAGES>;
    const passageVectors = await embedder.embed(passageNames.map((name) => PASSAGES[name]));
    for (const { question, answer } of QUESTIONS) {
      const [questionVector] = await embedder.embed([question]);
      for (const [index, name] of passageNames.entries()) {
        const similarity = cosine(questionVector!, passageVectors[index]!);
        if (name === answer) expect(similarity).toBeGreaterThan(0.2);
        else expect(similarity).toBeLessThan(0.12);
      }
      const related = cosine(questionVector!, passageVectors[passageNames.indexOf(answer)]!);
      const bestUnrelated = Math.max(
        ...passageNames.filter((name) => name !== answer).map((name) => cosine(questionVector!, passageVectors[passageNames.indexOf(name)]!)),
      );
      expect(related - bestUnrelated).toBeGreaterThan(0.1);
    }
  });

  it("is robust to inflection and small typos through stems and character n-grams", async () => {
    const [base, inflected, typo, unrelated] = await embedder.embed([
      "configure the database replication",
      "configuring databases replicated",
      "configure the databse replicaton",
      "birthday cake recipe with chocolate",
    ]);
    expect(cosine(base!, inflected!)).toBeGreaterThan(0.5);
    expect(cosine(base!, typo!)).toBeGreaterThan(0.3);
    expect(cosine(base!, unrelated!)).toBeLessThan(0.1);
  });

  it("ignores stopwords, so texts sharing only function words stay dissimilar", async () => {
    const [left, right] = await embedder.embed([
      "What is the name of the river that flows through the city?",
      "What is the price of the ticket for the concert?",
    ]);
    expect(cosine(left!, right!)).toBeLessThan(0.1);
  });

  it("gives a valid, finite unit vector for empty, punctuation-only and stopword-only text", async () => {
    const vectors = await embedder.embed(["", "   ", "?!... --", "what is the", "of and to"]);
    for (const vector of vectors) {
      expect(vector.every(Number.isFinite)).toBe(true);
      expect(norm(vector)).toBeCloseTo(1, 9);
    }
    expect(vectors[0]).toEqual(vectors[1]);
    expect(vectors[0]).toEqual(vectors[2]);
    const [passage] = await embedder.embed([PASSAGES.normans]);
    expect(Math.abs(cosine(vectors[0]!, passage!))).toBeLessThan(0.2);
  });

  it("gives the event loop turns during a long call, with the same vectors as one text at a time", async () => {
    const embedder = new LocalHashEmbedder({ dimension: 64 });
    const texts = Array.from({ length: 3_000 }, (_, index) => `${PASSAGES.normans} Paragraph ${index} about harbours and herons.`);
    const events: string[] = [];
    const ticker = setInterval(() => events.push("tick"), 1);
    const vectors = await embedder.embed(texts);
    events.push("done");
    clearInterval(ticker);
    // Timers ran while the call was in progress (the loop was not held for the whole batch).
    expect(events.indexOf("tick")).toBeGreaterThanOrEqual(0);
    expect(events.indexOf("tick")).toBeLessThan(events.indexOf("done"));
    expect(vectors[1_234]).toEqual(embedder.embedOne(texts[1_234]!));
    const aborted = new AbortController();
    const pending = embedder.embed(texts, { signal: aborted.signal });
    aborted.abort(new Error("client went away"));
    await expect(pending).rejects.toThrow("client went away");
  });
});
