import { describe, expect, it } from "vitest";
import { addSentenceCounts, alignVerdicts, countSentenceVerdicts, flagQuality, type LabelledSentence } from "../../src/core/eval/judge-metrics.js";

const labelled: LabelledSentence[] = [
  { text: "Pino is over 5x faster than alternatives [1].", label: "supported" },
  { text: "It was written by Matteo Collina in 2010 [1].", label: "unsupported" },
  { text: "Transports run in a worker thread [2].", label: "supported" },
];

describe("judge metrics", () => {
  it("aligns verdicts by normalised sentence text, whatever the judge's order or markers", () => {
    const judged = [
      { index: 0, text: "Transports run in a worker thread.", support: "supported" as const },
      { index: 1, text: "pino is over 5x faster than alternatives", support: "partly" as const },
      { index: 2, text: "It was written by Matteo Collina in 2010 [1].", support: "unsupported" as const },
    ];
    expect(alignVerdicts(labelled, judged)).toEqual(["partly", "unsupported", "supported"]);
  });

  it("takes a merged sentence's verdict, and the weakest verdict among a split sentence's pieces", () => {
    const merged = [
      { index: 0, text: "Pino is over 5x faster than alternatives [1]. it was written by Matteo Collina in 2010 [1].", support: "unsupported" as const },
      { index: 1, text: "Transports run in a worker", support: "supported" as const },
      { index: 2, text: "thread [2].", support: "partly" as const },
    ];
    expect(alignVerdicts(labelled, merged)).toEqual(["unsupported", "unsupported", "partly"]);
  });

  it("falls back to the index when the counts agree, and to null when the judge split differently", () => {
    const sameCount = labelled.map((_, index) => ({ index, text: `other ${index}`, support: "supported" as const }));
    expect(alignVerdicts(labelled, sameCount)).toEqual(["supported", "supported", "supported"]);
    expect(alignVerdicts(labelled, [{ index: 0, text: "something else entirely", support: "unsupported" }])).toEqual([null, null, null]);
  });

  it("counts a planted sentence as detected when unsupported or partly, a supported one as a false flag only when unsupported", () => {
    expect(countSentenceVerdicts(labelled, ["partly", "partly", "unsupported"])).toEqual({
      planted: 1,
      detected: 1,
      supported: 2,
      falseFlags: 1,
      unaligned: 0,
    });
    expect(countSentenceVerdicts(labelled, ["supported", "supported", null])).toEqual({
      planted: 1,
      detected: 0,
      supported: 2,
      falseFlags: 0,
      unaligned: 1,
    });
    const sum = addSentenceCounts(
      countSentenceVerdicts(labelled, ["supported", "unsupported", "supported"]),
      countSentenceVerdicts(labelled, [null, null, null]),
    );
    expect(sum).toEqual({ planted: 2, detected: 1, supported: 4, falseFlags: 0, unaligned: 3 });
  });

  it("computes answer-level flag precision and recall", () => {
    const answers = [
      { flawed: true, flagged: true },
      { flawed: true, flagged: false },
      { flawed: false, flagged: true },
      { flawed: false, flagged: false },
      { flawed: true, flagged: true },
    ];
    expect(flagQuality(answers)).toEqual({ truePositives: 2, falsePositives: 1, falseNegatives: 1, precision: 2 / 3, recall: 2 / 3 });
    expect(flagQuality([{ flawed: false, flagged: false }])).toMatchObject({ precision: null, recall: null });
  });
});
