import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.js";
import type { Answer, AnswerEvent, Answerer, AnswerRequest, Passage } from "../../src/ports/answerer.js";
import { hit } from "../helpers/model-layer-fixtures.js";

/** Answerers of one kind (and whatever serves them, e.g. a stand-in server), and how to stop it. */
export interface AnswererFixture {
  /** A new answerer instance (with its own answer cache, if it keeps one). */
  open(): Answerer | Promise<Answerer>;
  /** Makes every following model call fail upstream (answerers that call no model cannot). */
  breakUpstream?(): void;
  cleanup(): Promise<void>;
}

export const answererContractTests = [
  "declares its prompt version and capabilities as data",
  "cites only the passages it was given, with offsets that slice the snippet out of the passage text",
  "a stream yields deltas, then exactly one result, last; the deltas joined are the answer",
  "streamed and unstreamed answers agree",
  "reports usage, model and prompt version; token usage exactly when it declares reportsTokenUsage",
  "asking the same again gives the same answer",
  "without passages: answers with no citations when it declares answersWithoutPassages, else not_found",
  "a question the passages share nothing with is not_found, with no text and no citations",
  "an already aborted signal rejects",
  "an upstream failure propagates as an AppError, streamed or not",
] as const;

export type AnswererContractTest = (typeof answererContractTests)[number];

/** Cases an adapter does not run, and why (every skip names its reason). */
export interface AnswererContractSkip {
  reason: string;
  tests: readonly AnswererContractTest[];
}

export interface AnswererContractOptions {
  name: string;
  create: () => Promise<AnswererFixture>;
  skip?: readonly AnswererContractSkip[];
}

const PASSAGES: Passage[] = [
  hit(1, "Mount Etna is an active stratovolcano on the east coast of Sicily. It erupts frequently and its lava has reached nearby towns."),
  hit(2, "Sourdough bread is leavened with a culture of wild yeast and lactic acid bacteria. The starter is fed every day."),
  hit(3, "In chess, castling moves the king two squares towards a rook. It is the only move in which two pieces move at once."),
];
const ask = (question = "Where is Mount Etna?", passages = PASSAGES): AnswerRequest => ({ tenant: "contract-tenant", question, passages });

async function collect(events: AsyncIterable<AnswerEvent>): Promise<{ deltas: string[]; results: Answer[]; order: string[] }> {
  const deltas: string[] = [];
  const results: Answer[] = [];
  const order: string[] = [];
  for await (const event of events) {
    order.push(event.type);
    if (event.type === "delta") deltas.push(event.text);
    else results.push(event.result);
  }
  return { deltas, results, order };
}

function expectGroundedCitations(answer: Answer, passages: Passage[]): void {
  expect(answer.outcome).toBe("answered");
  expect(answer.citations.length).toBeGreaterThan(0);
  for (const citation of answer.citations) {
    const passage = passages.find((candidate) => candidate.id === citation.chunkId);
    expect(passage, `citation [${citation.n}] points at a passage that was given`).toBeDefined();
    expect(citation.documentId).toBe(passage!.metadata.documentId);
    expect(passage!.text.slice(citation.start, citation.end)).toBe(citation.snippet);
    expect(citation.snippet.length).toBeGreaterThan(0);
  }
  const markers = new Set([...(answer.answer ?? "").matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1])));
  expect([...markers].sort()).toEqual(answer.citations.map((citation) => citation.n).sort());
}

/** The `Answerer` port's contract (see src/ports/answerer.ts), run once per answerer. */
export function runAnswererContract(options: AnswererContractOptions): void {
  describe(`Answerer contract: ${options.name}`, () => {
    const reasons = new Map<string, string>();
    for (const skip of options.skip ?? []) {
      if (skip.reason.trim() === "") throw new Error(`contract skip of ${skip.tests.join(", ")} gives no reason`);
      for (const name of skip.tests) reasons.set(name, skip.reason);
    }
    const declared = new Set<string>();
    const test = (name: AnswererContractTest, body: () => Promise<void>) => {
      declared.add(name);
      const reason = reasons.get(name);
      if (reason === undefined) it(name, body);
      else it.skip(`${name} [skipped: ${reason}]`, body);
    };
    let fixture: AnswererFixture | undefined;
    const open = async () => {
      fixture ??= await options.create();
      return fixture.open();
    };
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    test("declares its prompt version and capabilities as data", async () => {
      const answerer = await open();
      expect(answerer.promptVersion).toMatch(/\S/);
      expect(answerer.model === null || answerer.model.length > 0).toBe(true);
      const { answersWithoutPassages, streamsIncrementally, reportsTokenUsage } = answerer.capabilities;
      expect([answersWithoutPassages, streamsIncrementally, reportsTokenUsage].map((value) => typeof value)).toEqual(["boolean", "boolean", "boolean"]);
    });

    test("cites only the passages it was given, with offsets that slice the snippet out of the passage text", async () => {
      const answerer = await open();
      const answer = await answerer.answer(ask());
      expectGroundedCitations(answer, PASSAGES);
      expect(answer.answer).toContain("Sicily");
      expect(answer.usedPassages).toBeGreaterThan(0);
      expect(answer.usedPassages).toBeLessThanOrEqual(PASSAGES.length);
      const reordered = [PASSAGES[2]!, PASSAGES[0]!];
      expectGroundedCitations(await answerer.answer(ask("Where is Mount Etna?", reordered)), reordered);
    });

    test("a stream yields deltas, then exactly one result, last; the deltas joined are the answer", async () => {
      const answerer = await open();
      const { deltas, results, order } = await collect(answerer.answer(ask(), { stream: true }));
      expect(results).toHaveLength(1);
      expect(order.at(-1)).toBe("result");
      expect(deltas.length).toBeGreaterThan(0);
      if (!answerer.capabilities.streamsIncrementally) expect(deltas).toHaveLength(1);
      expect(deltas.join("")).toBe(results[0]!.answer);
      expectGroundedCitations(results[0]!, PASSAGES);
    });

    test("streamed and unstreamed answers agree", async () => {
      const streamed = (await collect((await open()).answer(ask(), { stream: true }))).results[0]!;
      const unstreamed = await (await open()).answer(ask());
      expect(streamed.cached).toBe(false);
      expect(unstreamed.cached).toBe(false);
      const essentials = (answer: Answer) => ({
        outcome: answer.outcome,
        answer: answer.answer,
        citations: answer.citations,
        model: answer.model,
        promptVersion: answer.promptVersion,
        usedPassages: answer.usedPassages,
      });
      expect(essentials(streamed)).toEqual(essentials(unstreamed));
    });

    test("reports usage, model and prompt version; token usage exactly when it declares reportsTokenUsage", async () => {
      const answerer = await open();
      const answer = await answerer.answer(ask());
      const streamed = (await collect(answerer.answer(ask("Is sourdough fed every day?"), { stream: true }))).results[0]!;
      for (const result of [answer, streamed]) {
        const { inputTokens, outputTokens, cachedTokens, costUsd } = result.usage;
        for (const value of [inputTokens, outputTokens, cachedTokens, costUsd]) expect(Number.isFinite(value) && value >= 0).toBe(true);
        expect(result.model).toMatch(/\S/);
        expect(result.promptVersion).toMatch(/\S/);
        if (answerer.capabilities.reportsTokenUsage) {
          expect(inputTokens).toBeGreaterThan(0);
          expect(outputTokens).toBeGreaterThan(0);
          expect(cachedTokens).toBeLessThanOrEqual(inputTokens);
        } else expect(result.usage).toEqual({ inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 });
      }
    });

    test("asking the same again gives the same answer", async () => {
      const answerer = await open();
      const first = await answerer.answer(ask());
      const again = await answerer.answer(ask());
      expect(again.answer).toBe(first.answer);
      expect(again.citations).toEqual(first.citations);
      if (again.cached) expect(again.usage).toEqual({ inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 });
    });

    test("without passages: answers with no citations when it declares answersWithoutPassages, else not_found", async () => {
      const answerer = await open();
      for (const noPassagesReason of ["unavailable", "empty"] as const) {
        const request = { ...ask(), passages: [], noPassagesReason };
        const streamed = await collect(answerer.answer(request, { stream: true }));
        for (const answer of [await answerer.answer(request), streamed.results[0]!]) {
          expect(answer.citations).toEqual([]);
          expect(answer.usedPassages).toBe(0);
          if (answerer.capabilities.answersWithoutPassages) {
            expect(answer.outcome).toBe("answered");
            expect(answer.answer).toMatch(/\S/);
            expect(answer.answer).not.toMatch(/\[\d+\]/);
          } else expect(answer).toMatchObject({ outcome: "not_found", answer: null });
        }
      }
    });

    test("a question the passages share nothing with is not_found, with no text and no citations", async () => {
      const answerer = await open();
      const question = "What is the GDP of Brazil?";
      expect(await answerer.answer(ask(question))).toMatchObject({ outcome: "not_found", answer: null, citations: [] });
      const streamed = await collect(answerer.answer(ask(question), { stream: true }));
      expect(streamed.deltas).toEqual([]);
      expect(streamed.results[0]).toMatchObject({ outcome: "not_found", answer: null, citations: [] });
    });

    test("an already aborted signal rejects", async () => {
      const answerer = await open();
      const aborted = { ...ask(), signal: AbortSignal.abort(new Error("caller went away")) };
      await expect(answerer.answer(aborted)).rejects.toThrow();
      await expect(collect(answerer.answer(aborted, { stream: true }))).rejects.toThrow();
    });

    test("an upstream failure propagates as an AppError, streamed or not", async () => {
      const answerer = await open();
      fixture!.breakUpstream!();
      const error = await answerer.answer(ask()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBeGreaterThanOrEqual(502);
      const streamError = await collect(answerer.answer(ask("Where is Etna?"), { stream: true })).catch((caught: unknown) => caught);
      expect(streamError).toBeInstanceOf(AppError);
    });

    it("declares every listed case, and skips only cases it has", () => {
      expect([...declared].sort()).toEqual([...answererContractTests].sort());
      for (const name of reasons.keys()) expect(answererContractTests as readonly string[]).toContain(name);
    });
  });
}
