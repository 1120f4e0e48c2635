import { beforeAll, describe, expect, it } from "vitest";
import { runHarness, type SetResult } from "../../bench/eval/run-harness.js";

// The eval harness on a fixed slice (seeded sample: 50 judged queries, their judged documents plus
// random ones up to 300) of SQuAD dev and NFCorpus, through the real embedded service. Floors sit
// 0.03 below the values measured when they were set (rounded down; one SQuAD query is worth 0.02):
// a drop beyond that is a regression to explain, a rise is a reason to raise them.
const FLOORS = {
  squad: {
    hybrid: { ndcgAt10: 0.91, recallAt10: 0.97, recallAt100: 0.97 },
    lexical: { ndcgAt10: 0.91, recallAt10: 0.97, recallAt100: 0.97 },
    dense: { ndcgAt10: 0.81, recallAt10: 0.89, recallAt100: 0.97 },
  },
  nfcorpus: {
    hybrid: { ndcgAt10: 0.35, recallAt10: 0.16, recallAt100: 0.3 },
    lexical: { ndcgAt10: 0.35, recallAt10: 0.16, recallAt100: 0.26 },
    dense: { ndcgAt10: 0.26, recallAt10: 0.11, recallAt100: 0.23 },
  },
} as const;
// Default thresholds on the slice: off-topic questions answered `empty` (measured 47/58 and 24/27, floors
// about 0.1 below) and answerable questions turned away (measured 1/50 and 1/35; one query is 0.02–0.03).
const OFF_TOPIC_EMPTY_FLOOR = { squad: 0.7, nfcorpus: 0.78 } as const;
const ANSWERABLE_TURNED_AWAY_CEILING = 0.06;
// The default fusion must not fall below the better single retriever (BM25 ties may move a rank).
const FUSION_TOLERANCE = 0.005;

describe("eval slice: retrieval floors on SQuAD dev and NFCorpus", () => {
  let results: SetResult[];

  beforeAll(async () => {
    results = await runHarness({ sets: ["squad", "nfcorpus"], configs: ["default"], limitQueries: 50, limitDocs: 300 });
  }, 240_000);

  it("evaluates every sampled query and off-topic question of both sets through the service", () => {
    expect(results.map((set) => set.set)).toEqual(["squad", "nfcorpus"]);
    for (const set of results) {
      expect(set.queries).toBe(50);
      expect(set.documents).toBeGreaterThanOrEqual(300);
      const [config] = set.configs;
      expect(config!.ingest).toMatchObject({ indexed: set.documents, failed: 0 });
      expect(config!.thresholds.offTopicEmpty.of).toBe(set.offTopicQuestions);
    }
    expect(results[0]!.offTopicQuestions).toBeGreaterThanOrEqual(50);
    expect(results[0]!.configs[0]!.answers?.questions).toBe(50);
    expect(results[1]!.configs[0]!.answers).toBeNull();
  });

  for (const setName of ["squad", "nfcorpus"] as const) {
    for (const ranking of ["hybrid", "lexical", "dense"] as const) {
      it(`${setName} ${ranking}: nDCG@10 and recall stay above their floors`, () => {
        const measured = results.find((set) => set.set === setName)!.configs[0]![ranking];
        const floors = FLOORS[setName][ranking];
        expect(measured.ndcgAt10, "nDCG@10").toBeGreaterThanOrEqual(floors.ndcgAt10);
        expect(measured.recallAt10, "recall@10").toBeGreaterThanOrEqual(floors.recallAt10);
        expect(measured.recallAt100, "recall@100").toBeGreaterThanOrEqual(floors.recallAt100);
      });
    }
  }

  for (const setName of ["squad", "nfcorpus"] as const) {
    it(`${setName}: the default hybrid is not below the better single retriever`, () => {
      const config = results.find((set) => set.set === setName)!.configs[0]!;
      expect(config.hybrid.ndcgAt10).toBeGreaterThanOrEqual(Math.max(config.lexical.ndcgAt10, config.dense.ndcgAt10) - FUSION_TOLERANCE);
    });

    it(`${setName}: the default threshold empties off-topic questions and keeps answerable ones`, () => {
      const { thresholds } = results.find((set) => set.set === setName)!.configs[0]!;
      expect(thresholds.offTopicEmpty.count / thresholds.offTopicEmpty.of, "off-topic empty").toBeGreaterThanOrEqual(OFF_TOPIC_EMPTY_FLOOR[setName]);
      expect(thresholds.answerable).toBeGreaterThan(0);
      expect(thresholds.answerableTurnedAway.count / thresholds.answerableTurnedAway.of, "answerable turned away").toBeLessThanOrEqual(
        ANSWERABLE_TURNED_AWAY_CEILING,
      );
    });
  }
});
