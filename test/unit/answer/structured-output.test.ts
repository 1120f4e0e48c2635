import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ChatMessage, ChatModel } from "../../../src/ports/chat-model.js";
import { generateStructured, structuredSpec } from "../../../src/use-cases/answer/structured-output.js";
import { answerCacheKey } from "../../../src/use-cases/answer/answer-cache.js";
import { configSchema } from "../../../src/config/schema.js";
import { HITS } from "../../helpers/model-layer-fixtures.js";

/** A scripted chat model: replies in order, records every prompt it got. */
function scriptedModel(modelId: string, replies: string[], onCall?: () => void) {
  const prompts: ChatMessage[][] = [];
  const model: ChatModel = {
    modelId,
    generate: async ({ messages }) => {
      prompts.push(messages);
      onCall?.();
      return { content: replies.shift() ?? "not json", usage: { inputTokens: 1, outputTokens: 1, cachedTokens: 0 }, model: modelId };
    },
    stream: () => {
      throw new Error("not streamed here");
    },
  };
  return { model, prompts };
}

const spec = structuredSpec("pair", z.strictObject({ a: z.number(), b: z.number() }), (value) => (value.a < value.b ? [] : ["a: must be below b"]));
const ask = [{ role: "user" as const, content: "give a pair" }];
const refined = (issues: string[]) => [{ role: "user" as const, content: `give a pair; wrong before: ${issues.join("; ")}` }];

describe("generateStructured: one retry order for every structured task", () => {
  it("goes initial → repair → refined (stating the errors) → fallback model, and returns the first valid value", async () => {
    const main = scriptedModel("main", ["oops", '{"a": 2, "b": 1}', '{"a": "x"}']);
    const fallback = scriptedModel("fallback", ['{"a": 1, "b": 2}']);
    const result = await generateStructured(spec, main.model, { messages: ask, refinedMessages: refined, fallback: fallback.model, maxTokens: 50 });
    expect(result.value).toEqual({ a: 1, b: 2 });
    expect(result.attempts.map((attempt) => [attempt.kind, attempt.model, attempt.valid])).toEqual([
      ["initial", "main", false],
      ["repair", "main", false],
      ["refined", "main", false],
      ["fallback", "fallback", true],
    ]);
    expect(main.prompts[1]!.at(-1)!.content).toContain("Validation errors");
    expect(main.prompts[2]![0]!.content).toContain("a: must be below b");
    expect(fallback.prompts[0]![0]!.content).toContain("a: must be below b");
  });

  it("never makes more than maxCalls calls, and a retry asked for by the judge starts at the refined step", async () => {
    const main = scriptedModel("main", []);
    const capped = await generateStructured(spec, main.model, { messages: ask, refinedMessages: refined, maxCalls: 2, maxTokens: 50 });
    expect(capped).toMatchObject({ value: null, stoppedByDeadline: false });
    expect(main.prompts).toHaveLength(2);

    const again = scriptedModel("main", []);
    const fallback = scriptedModel("fallback", []);
    const retry = await generateStructured(spec, again.model, {
      messages: ask,
      refinedMessages: refined,
      firstKind: "refined",
      fallback: fallback.model,
      maxTokens: 50,
    });
    expect(retry.attempts.map((attempt) => attempt.kind)).toEqual(["refined", "repair", "fallback"]);
  });

  it("stops between steps once the signal is aborted (the answer deadline)", async () => {
    const controller = new AbortController();
    const main = scriptedModel("main", [], () => controller.abort());
    const result = await generateStructured(spec, main.model, { messages: ask, refinedMessages: refined, maxTokens: 50, signal: controller.signal });
    expect(result).toMatchObject({ value: null, stoppedByDeadline: true });
    expect(main.prompts).toHaveLength(1);
  });
});

describe("answer cache key and examples", () => {
  const base = { tenant: "t", question: "Where is Etna?", hits: HITS, promptVersion: "answer.v1", model: "m" };
  it("includes the example ids, and is unchanged without examples", () => {
    expect(answerCacheKey({ ...base, exampleIds: [] })).toBe(answerCacheKey(base));
    expect(answerCacheKey({ ...base, exampleIds: ["fb-1"] })).not.toBe(answerCacheKey(base));
    expect(answerCacheKey({ ...base, exampleIds: ["fb-1"] })).not.toBe(answerCacheKey({ ...base, exampleIds: ["fb-2"] }));
  });
});

describe("answer.judge config", () => {
  it("defaults to off with minScore 0.6, deadline 20 s and examples {enabled, 0.8, 3, 600}", () => {
    const answer = configSchema.parse({}).answer;
    expect(answer).toMatchObject({
      deadlineMs: 20_000,
      judge: { mode: "off", minScore: 0.6 },
      examples: { enabled: true, minSimilarity: 0.8, max: 3, maxTokens: 600 },
    });
  });
  it("refuses the model judge without a model answerer, naming the key", () => {
    const parsed = configSchema.safeParse({ answer: { judge: { mode: "model" } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(["answer", "judge", "mode"]);
  });
});
