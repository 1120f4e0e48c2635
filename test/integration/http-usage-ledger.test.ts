import { afterEach, describe, expect, it } from "vitest";
import { startOpenAiStandIn, type OpenAiStandIn } from "../helpers/openai-stand-in-server.js";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

// The usage ledger through HTTP: model calls answered by an OpenAI-compatible stand-in server.

const ADMIN = "operator-admin-key-0123456789";
const ACME = "tenant-acme-key-0123456789ab";
const OTHER = "tenant-other-key-0123456789a";
const as = (key: string) => ({ authorization: `Bearer ${key}` });

interface Totals {
  group: Record<string, string | null>;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(): Promise<{ test: TestRuntime; standIn: OpenAiStandIn }> {
  const standIn = await startOpenAiStandIn();
  cleanups.push(() => standIn.close());
  const test = await startTestRuntime({
    auth: {
      apiKeys: [
        { key: ADMIN, tenant: "operator", scopes: ["admin"] },
        { key: ACME, tenant: "acme", scopes: ["read", "write"] },
        { key: OTHER, tenant: "other", scopes: ["read", "write"] },
      ],
    },
    answer: { provider: "openai", model: "stand-in-main" },
    openai: { baseUrl: standIn.baseUrl, apiKey: "sk-stand-in-0123456789", timeoutMs: 2_000 },
    prices: { "stand-in-main": { input: 1, output: 2 } },
  });
  cleanups.push(() => test.close());
  return { test, standIn };
}

async function index(test: TestRuntime, key: string, id: string, text: string): Promise<void> {
  expect((await test.app.request(`/v1/documents/${id}`, jsonRequest("PUT", { text }, as(key)))).status).toBe(202);
  await waitFor(
    async () => ((await (await test.app.request(`/v1/documents/${id}`, { headers: as(key) })).json()) as { status: string }).status === "indexed",
    `${id} to be indexed`,
  );
}

/** Sum of a Prometheus counter's samples whose labels include every given pair. */
async function counterSum(test: TestRuntime, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await test.app.request("/metrics")).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

describe("usage ledger (GET /v1/usage)", () => {
  it("records every model call with tenant, key, model and prompt version; totals agree with /metrics", async () => {
    const { test, standIn } = await start();
    await index(test, ACME, "etna", "Mount Etna is an active volcano on the east coast of Sicily.");
    await index(test, OTHER, "bread", "Sourdough bread is leavened with wild yeast and lactic acid bacteria.");
    for (const question of ["Where is Mount Etna?", "Is Etna active?"]) {
      expect((await test.app.request("/v1/query", jsonRequest("POST", { question, min_score: 0 }, as(ACME)))).status).toBe(200);
    }
    expect((await test.app.request("/v1/query", jsonRequest("POST", { question: "How is sourdough leavened?", min_score: 0 }, as(OTHER)))).status).toBe(200);
    expect(standIn.chatRequests()).toHaveLength(3);

    const usage = async (key: string, query: string) => {
      const response = await test.app.request(`/v1/usage?${query}`, { headers: as(key) });
      expect(response.status).toBe(200);
      return ((await response.json()) as { totals: Totals[] }).totals;
    };
    const acme = await waitFor(async () => {
      const totals = await usage(ACME, "group_by=task,key,model,prompt_version,day");
      return totals.reduce((sum, row) => sum + row.calls, 0) === 2 ? totals : null;
    }, "the ledger entries of acme's two answers");
    expect(acme).toHaveLength(1);
    expect(acme[0]!.group).toEqual({
      task: "answer",
      key: "config-1",
      model: "stand-in-main",
      prompt_version: expect.any(String),
      day: new Date().toISOString().slice(0, 10),
    });
    const metricInput = await counterSum(test, "ragline_llm_tokens_total", { tenant: "acme", task: "answer", kind: "input" });
    const metricOutput = await counterSum(test, "ragline_llm_tokens_total", { tenant: "acme", task: "answer", kind: "output" });
    const metricCost = await counterSum(test, "ragline_llm_cost_usd_total", { tenant: "acme", task: "answer" });
    expect(metricInput).toBeGreaterThan(0);
    expect(acme[0]!.input_tokens).toBe(metricInput);
    expect(acme[0]!.output_tokens).toBe(metricOutput);
    expect(acme[0]!.cost_usd).toBeCloseTo(metricCost, 9);

    // A tenant sees only its own usage; the admin sees every tenant, or one.
    const all = await waitFor(async () => {
      const totals = await usage(ADMIN, "group_by=tenant");
      return totals.length === 2 ? totals : null;
    }, "both tenants in the admin's totals");
    expect(all.map((row) => [row.group.tenant, row.calls])).toEqual([
      ["acme", 2],
      ["other", 1],
    ]);
    expect((await usage(ADMIN, "tenant=other")).map((row) => row.calls)).toEqual([1]);
    expect((await test.app.request("/v1/usage?tenant=acme", { headers: as(OTHER) })).status).toBe(403);
    expect((await usage(OTHER, "")).map((row) => row.calls)).toEqual([1]);
  });

  it("needs the read or admin scope", async () => {
    const test = await startTestRuntime({ auth: { apiKeys: [{ key: "write-only-key-0123456789ab", tenant: "acme", scopes: ["write"] }] } });
    cleanups.push(() => test.close());
    const refused = await test.app.request("/v1/usage", { headers: as("write-only-key-0123456789ab") });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "forbidden", details: { required_scope: "read or admin" } } });
  });

  it("refuses unknown groups and bad ranges with 400", async () => {
    const { test } = await start();
    for (const query of [
      "group_by=colour",
      "from=yesterday",
      "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
      "from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
    ]) {
      const response = await test.app.request(`/v1/usage?${query}`, { headers: as(ACME) });
      expect(response.status, query).toBe(400);
    }
  });
});
