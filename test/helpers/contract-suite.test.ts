import { describe, expect, it } from "vitest";
import { contractCases } from "./contract-suite.js";

const names = ["first case", "second case"] as const;

describe("contractCases", () => {
  it("refuses a skip without a reason or naming a case the suite does not have", () => {
    expect(() => contractCases(names, [{ reason: " ", tests: ["first case"] }])).toThrow(/gives no reason/);
    expect(() => contractCases(names, [{ reason: "why", tests: ["third case" as "first case"] }])).toThrow(/not a case of this suite/);
  });

  it("reports cases listed but never declared", () => {
    expect(() => contractCases(names).assertAllDeclared()).toThrow(/never declared: first case, second case/);
  });

  describe("declaring cases", () => {
    const cases = contractCases(names, [{ reason: "reported as skipped", tests: ["second case"] }]);
    cases("first case", async () => expect(true).toBe(true));
    cases("second case", async () => {
      throw new Error("a skipped case must not run");
    });
    let duplicate: unknown;
    try {
      cases("first case", async () => undefined);
    } catch (error) {
      duplicate = error;
    }

    it("refuses a case declared twice", () => expect(String(duplicate)).toMatch(/declared twice/));
    it("counts every listed case as declared", () => expect(() => cases.assertAllDeclared()).not.toThrow());
  });
});
