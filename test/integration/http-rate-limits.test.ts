import type { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { FlexibleRateLimiter } from "../../src/adapters/rate-limiter/flexible/flexible-rate-limiter.js";
import { closeRedisClient, createRedisClient, waitForRedisReady } from "../../src/adapters/redis/redis-client.js";
import type { Config } from "../../src/config/schema.js";
import { spendTokens } from "../../src/use-cases/token-budget.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { startOpenAiStandIn } from "../helpers/openai-stand-in-server.js";
import { waitFor } from "../helpers/wait-for.js";

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

const KEY_A = "tenant-acme-key-one-0123456789";
const KEY_B = "tenant-acme-key-two-0123456789";
const KEY_OTHER = "tenant-other-key-0123456789ab";
const as = (key: string) => ({ authorization: `Bearer ${key}` });
const runtimes: TestRuntime[] = [];

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

async function start(limits: DeepPartial<Config["limits"]>): Promise<TestRuntime> {
  const test = await startTestRuntime({
    auth: {
      apiKeys: [
        { key: KEY_A, tenant: "acme", scopes: ["read", "write"] },
        { key: KEY_B, tenant: "acme", scopes: ["read", "write"] },
        { key: KEY_OTHER, tenant: "other", scopes: ["read", "write"] },
      ],
    },
    limits: { requestsPerMinutePerKey: 0, requestsPerMinutePerTenant: 0, concurrentUploadsPerTenant: 0, ...limits } as Config["limits"],
  });
  runtimes.push(test);
  return test;
}

async function rateLimitedCount(test: TestRuntime, limit: string): Promise<number> {
  const text = await (await test.app.request("/metrics")).text();
  return Number(text.match(new RegExp(`^ragline_rate_limited_total\\{limit="${limit}"\\} (\\d+)`, "m"))?.[1] ?? 0);
}

describe("rate limits, upload caps and token budgets (HTTP)", () => {
  it("limits requests per key with RateLimit headers, then 429 with Retry-After; other keys go on", async () => {
    const test = await start({ requestsPerMinutePerKey: 3 });
    const remaining: string[] = [];
    for (let index = 0; index < 3; index++) {
      const response = await test.app.request("/v1/documents", { headers: as(KEY_A) });
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-limit")).toBe("3");
      remaining.push(response.headers.get("ratelimit-remaining")!);
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const refused = await test.app.request("/v1/documents", { headers: as(KEY_A) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(await refused.json()).toMatchObject({ error: { code: "rate_limited", details: { limit: "key", allowed: 3 } } });
    expect(await rateLimitedCount(test, "key")).toBe(1);
    expect((await test.app.request("/v1/documents", { headers: as(KEY_B) })).status).toBe(200);
  });

  it("limits a tenant's keys together, with per-tenant and per-key overrides", async () => {
    const test = await start({ requestsPerMinutePerTenant: 4, tenants: { other: { requestsPerMinute: 1 } }, keys: { "config-1": { requestsPerMinute: 1 } } });
    const statuses: number[] = [];
    for (const key of [KEY_A, KEY_A, KEY_A, KEY_B, KEY_A]) statuses.push((await test.app.request("/v1/documents", { headers: as(key) })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect(await rateLimitedCount(test, "tenant")).toBe(1);
    // KEY_B (config-1) may send one request a minute of its own: it sent it.
    const secondOfB = await test.app.request("/v1/documents", { headers: as(KEY_B) });
    expect(secondOfB.status).toBe(429);
    expect(await secondOfB.json()).toMatchObject({ error: { details: { limit: "key" } } });
    expect((await test.app.request("/v1/documents", { headers: as(KEY_OTHER) })).status).toBe(200);
    expect((await test.app.request("/v1/documents", { headers: as(KEY_OTHER) })).status).toBe(429);
  });

  it("caps a tenant's uploads in progress and frees the slot when one ends", async () => {
    const test = await start({ concurrentUploadsPerTenant: 1 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('{"text": "A slow upload that arrives in two parts'));
        await held;
        controller.enqueue(new TextEncoder().encode(' and then ends."}'));
        controller.close();
      },
    });
    const slow = test.app.request("/v1/documents", {
      method: "POST",
      headers: { ...as(KEY_A), "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await test.app.request("/v1/documents", jsonRequest("POST", { text: "Refused while the first is received." }, as(KEY_B)));
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ error: { details: { limit: "uploads" } } });
    expect((await test.app.request("/v1/documents", jsonRequest("POST", { text: "Another tenant is not held back." }, as(KEY_OTHER)))).status).toBe(202);
    release();
    expect((await slow).status).toBe(202);
    expect((await test.app.request("/v1/documents", jsonRequest("POST", { text: "The slot is free again." }, as(KEY_B)))).status).toBe(202);
  });

  it("refuses model-using requests of a tenant whose daily token budget is spent; reads go on", async () => {
    const test = await start({ modelTokensPerDayPerTenant: 1_000, tenants: { other: { modelTokensPerDay: null } } });
    const query = () => test.app.request("/v1/query", jsonRequest("POST", { question: "anything at all", mode: "retrieve" }, as(KEY_A)));
    expect((await query()).status).toBe(200);
    await spendTokens(test.runtime.deps.rateLimiter, test.config.limits, "acme", 999);
    expect((await query()).status).toBe(200);
    await spendTokens(test.runtime.deps.rateLimiter, test.config.limits, "acme", 5_000);
    const refused = await query();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { details: { limit: "tokens", allowed: 1_000 } } });
    expect((await test.app.request("/v1/documents", jsonRequest("POST", { text: "No budget left to embed this." }, as(KEY_A)))).status).toBe(429);
    expect((await test.app.request("/v1/documents", { headers: as(KEY_A) })).status).toBe(200);
    await spendTokens(test.runtime.deps.rateLimiter, test.config.limits, "other", 1_000_000);
    expect((await test.app.request("/v1/query", jsonRequest("POST", { question: "anything", mode: "retrieve" }, as(KEY_OTHER)))).status).toBe(200);
  });

  it("model calls spend the tenant's budget (answers from an OpenAI-compatible stand-in)", async () => {
    const standIn = await startOpenAiStandIn();
    try {
      const answering = await startTestRuntime({
        auth: { apiKeys: [{ key: KEY_A, tenant: "acme", scopes: ["read", "write"] }] },
        limits: { modelTokensPerDayPerTenant: 50 },
        answer: { provider: "openai", model: "stand-in-main" },
        openai: { baseUrl: standIn.baseUrl, apiKey: "sk-stand-in-0123456789", timeoutMs: 2_000 },
      });
      runtimes.push(answering);
      await answering.app.request(
        "/v1/documents/etna",
        jsonRequest("PUT", { text: "Mount Etna is an active volcano on the east coast of Sicily." }, as(KEY_A)),
      );
      await waitFor(
        async () => ((await (await answering.app.request("/v1/documents/etna", { headers: as(KEY_A) })).json()) as { status: string }).status === "indexed",
        "the document to be indexed",
      );
      const ask = () => answering.app.request("/v1/query", jsonRequest("POST", { question: "Where is Mount Etna?", min_score: 0 }, as(KEY_A)));
      expect((await ask()).status).toBe(200);
      expect(standIn.chatRequests()).toHaveLength(1);
      // The call's tokens (over 50 with the prompt) are taken from the budget as it is recorded.
      await waitFor(async () => (await ask()).status === 429, "the spent budget to refuse the next query", 2_000);
      expect(standIn.chatRequests()).toHaveLength(1);
    } finally {
      await standIn.close();
    }
  });

  it("does not limit requests when auth is off (local use)", async () => {
    const test = await startTestRuntime({ limits: { requestsPerMinutePerKey: 1, requestsPerMinutePerTenant: 1 } as Config["limits"] });
    runtimes.push(test);
    for (let index = 0; index < 3; index++) expect((await test.app.request("/v1/documents")).status).toBe(200);
  });
});

describeWithRedis("rate limits shared through Redis (real Redis)", () => {
  let redis: Redis | undefined;
  let prefix = "";
  afterEach(async () => {
    if (redis) {
      await deleteKeysWithPrefix(redis, prefix);
      await closeRedisClient(redis);
      redis = undefined;
    }
  });

  it("two processes' limiters count one allowance", async () => {
    redis = createRedisClient(redisUrl);
    await waitForRedisReady(redis, 5_000);
    prefix = uniqueKeyPrefix();
    const allowance = { name: "key", limit: 3, windowSeconds: 60 };
    const first = new FlexibleRateLimiter({ redis, keyPrefix: prefix });
    const second = new FlexibleRateLimiter({ redis, keyPrefix: prefix });
    expect((await first.consume(allowance, "k")).remaining).toBe(2);
    expect((await second.consume(allowance, "k")).remaining).toBe(1);
    expect((await first.consume(allowance, "k")).allowed).toBe(true);
    const refused = await second.consume(allowance, "k");
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.resetMs).toBeGreaterThan(0);
    await first.reward(allowance, "k");
    expect((await second.consume(allowance, "k")).allowed).toBe(true);
  });
});
