import { describe, expect, it } from "vitest";
import { SqlUsageLedger } from "../../src/adapters/usage-ledger/sql/sql-usage-ledger.js";
import type { ModelCall } from "../../src/ports/model-usage.js";
import { openTestPostgres, openTestSqlite, postgresForTests, type TestSqlState } from "../helpers/test-database.js";

function call(overrides: Partial<ModelCall>): ModelCall {
  return {
    provider: "openai",
    task: "answer",
    model: "m1",
    promptVersion: "answer-v3",
    tenant: "acme",
    usage: { inputTokens: 100, outputTokens: 10, cachedTokens: 0 },
    latencyMs: 12,
    outcome: "ok",
    ...overrides,
  };
}

function runUsageLedgerContract(name: string, open: () => Promise<TestSqlState>): void {
  describe(`UsageLedger: ${name}`, () => {
    it("sums entries in [from, to) per tenant and per group, ignores a repeated id", async () => {
      const { state, cleanup } = await open();
      try {
        const ledger = new SqlUsageLedger(state);
        const entries = [
          { id: "a", call: call({ keyId: "k1" }), costUsd: 0.5, createdAt: "2026-11-26T23:59:59.000Z" },
          { id: "b", call: call({ keyId: "k1", model: "m2" }), costUsd: 0.25, createdAt: "2026-11-27T08:00:00.000Z" },
          {
            id: "c",
            call: call({ keyId: "k2", outcome: "error", usage: { inputTokens: 7, outputTokens: 0, cachedTokens: 3 } }),
            costUsd: 0,
            createdAt: "2026-11-27T09:00:00.000Z",
          },
          { id: "d", call: call({ tenant: "other", task: "embedding" }), costUsd: 1, createdAt: "2026-11-27T10:00:00.000Z" },
          { id: "e", call: call({}), costUsd: 9, createdAt: "2026-11-28T00:00:00.000Z" },
        ];
        for (const entry of entries) await ledger.record(entry);
        await ledger.record(entries[0]!);
        const range = { from: "2026-11-26T00:00:00.000Z", to: "2026-11-28T00:00:00.000Z" };

        const [all] = await ledger.totals({ ...range, tenant: "acme", groupBy: [] });
        expect(all).toEqual({ group: {}, calls: 3, inputTokens: 207, outputTokens: 20, cachedTokens: 3, costUsd: 0.75, failedCalls: 1 });
        const byDayAndKey = await ledger.totals({ ...range, tenant: "acme", groupBy: ["day", "key"] });
        expect(byDayAndKey.map((row) => [row.group.day, row.group.key, row.calls])).toEqual([
          ["2026-11-26", "k1", 1],
          ["2026-11-27", "k1", 1],
          ["2026-11-27", "k2", 1],
        ]);
        const byTenant = await ledger.totals({ ...range, groupBy: ["tenant", "task"] });
        expect(byTenant.map((row) => [row.group.tenant, row.group.task, row.calls])).toEqual([
          ["acme", "answer", 3],
          ["other", "embedding", 1],
        ]);
        expect(await ledger.totals({ from: "2030-01-01T00:00:00.000Z", to: "2030-01-02T00:00:00.000Z", groupBy: ["model"] })).toEqual([]);
      } finally {
        await cleanup();
      }
    });
  });
}

runUsageLedgerContract("SQL on SQLite", () => openTestSqlite("ragline-usage-sqlite-"));

if (await postgresForTests("the SQL usage ledger on PostgreSQL")) {
  runUsageLedgerContract("SQL on PostgreSQL", () => openTestPostgres());
}
