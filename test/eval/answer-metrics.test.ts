import { describe, expect, it } from "vitest";
import { citationSupport, containsAllFacts, normalizeAnswerText, percentile, refusalIsCorrect } from "../../src/core/eval/answer-metrics.js";

describe("answer metrics", () => {
  it("normalises as SQuAD does: case, punctuation, articles, whitespace; [n] markers dropped", () => {
    expect(normalizeAnswerText("  The  `ffi_prep_cif` call [2], an API!  ")).toBe("ffiprepcif call api");
    expect(normalizeAnswerText("A Retry\tand\nthe Timeout.")).toBe("retry and timeout");
    expect(normalizeAnswerText("both ‘stdcall’ and “fastcall” functions")).toBe("both stdcall and fastcall functions");
    // A Markdown link's destination is not glued to its text.
    expect(normalizeAnswerText("The [`pino-pretty`](https://github.com/pinojs/pino-pretty) module")).toBe("pinopretty module");
  });

  it("requires every expected fact, each as whole words", () => {
    const answer = "Cockatiel expresses Retry, Circuit Breaker and Timeout policies [1].";
    expect(containsAllFacts(answer, ["retry", "circuit breaker", "timeout"])).toBe(true);
    expect(containsAllFacts(answer, ["retry", "bulkhead"])).toBe(false);
    expect(containsAllFacts(answer, ["time"])).toBe(false);
    expect(containsAllFacts(answer, [])).toBe(false);
    expect(containsAllFacts(null, ["retry"])).toBe(false);
  });

  it("counts the citations whose cited chunk contains a fact, each citation once", () => {
    const chunks = ["Pino is over 5x faster than alternatives.", "Install it with npm.", "Pino is over 5x faster than alternatives.", null];
    expect(citationSupport(chunks, ["5x faster"])).toEqual({ supporting: 2, cited: 4 });
    expect(citationSupport([], ["5x faster"])).toEqual({ supporting: 0, cited: 0 });
    expect(citationSupport(["It is 15x faster."], ["5x faster"])).toEqual({ supporting: 0, cited: 1 });
  });

  it("judges a refusal correct only when it matches answerability", () => {
    expect(refusalIsCorrect(true, false)).toBe(true);
    expect(refusalIsCorrect(false, true)).toBe(true);
    expect(refusalIsCorrect(true, true)).toBe(false);
    expect(refusalIsCorrect(false, false)).toBe(false);
  });

  it("takes nearest-rank percentiles", () => {
    const values = [50, 10, 40, 20, 30];
    expect(percentile(values, 50)).toBe(30);
    expect(percentile(values, 95)).toBe(50);
    expect(percentile(values, 20)).toBe(10);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, index) => index + 1),
        95,
      ),
    ).toBe(95);
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile(values, 0)).toThrow(RangeError);
  });
});
