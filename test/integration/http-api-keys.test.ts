import { afterEach, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/core/api-keys.js";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

// API keys managed at runtime through HTTP, on the embedded state database (SQLite).

const ADMIN = "operator-admin-key-0123456789";
const admin = { authorization: `Bearer ${ADMIN}` };
const runtimes: TestRuntime[] = [];

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

async function start(): Promise<TestRuntime> {
  const test = await startTestRuntime({ auth: { apiKeys: [{ key: ADMIN, tenant: "operator", scopes: ["admin"] }] } });
  runtimes.push(test);
  return test;
}

interface CreatedKey {
  id: string;
  key: string;
  tenant: string;
  scopes: string[];
  expires_at: string | null;
  revoked_at: string | null;
}

async function createKey(test: TestRuntime, body: Record<string, unknown>): Promise<CreatedKey> {
  const response = await test.app.request("/v1/keys", jsonRequest("POST", body, admin));
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedKey;
}

describe("API keys managed at runtime (/v1/keys)", () => {
  it("an admin creates a tenant key, shown once; the key works with exactly its scopes", async () => {
    const test = await start();
    const created = await createKey(test, { tenant: "acme", scopes: ["read"], name: "dashboard" });
    expect(created).toMatchObject({ tenant: "acme", scopes: ["read"], expires_at: null, revoked_at: null });
    expect(created.key).toMatch(new RegExp(`^rgl_${created.id}_[0-9a-f]{64}$`));
    const reader = { authorization: `Bearer ${created.key}` };

    expect((await test.app.request("/v1/documents", { headers: reader })).status).toBe(200);
    expect((await test.app.request("/v1/query", jsonRequest("POST", { question: "anything", mode: "retrieve" }, reader))).status).toBe(200);
    const upload = await test.app.request("/v1/documents", jsonRequest("POST", { text: "Reader keys cannot write." }, reader));
    expect(upload.status).toBe(403);
    expect(await upload.json()).toMatchObject({ error: { code: "forbidden", details: { required_scope: "write" } } });
    expect((await test.app.request("/v1/keys", { headers: reader })).status).toBe(403);

    // The admin key has only `admin`: it manages keys but is no tenant's reader.
    expect((await test.app.request("/v1/documents", { headers: admin })).status).toBe(403);

    // Exactly the key: one extra character, or a missing one, is another key.
    expect((await test.app.request("/v1/documents", { headers: { authorization: `Bearer ${created.key}x` } })).status).toBe(401);
    expect((await test.app.request("/v1/documents", { headers: { "x-api-key": created.key.slice(0, -1) } })).status).toBe(401);
    expect((await test.app.request("/v1/documents", { headers: { "x-api-key": created.key } })).status).toBe(200);

    // Only the hash is stored.
    const listed = (await (await test.app.request("/v1/keys?tenant=acme", { headers: admin })).json()) as { keys: Array<Record<string, unknown>> };
    expect(listed.keys).toHaveLength(1);
    expect(listed.keys[0]).toEqual({
      id: created.id,
      tenant: "acme",
      scopes: ["read"],
      name: "dashboard",
      created_at: expect.any(String),
      expires_at: null,
      revoked_at: null,
    });
    const stored = await test.runtime.deps.apiKeys.findByHash(hashApiKey(created.key));
    expect(stored?.keyHash).toBe(hashApiKey(created.key));
    expect(JSON.stringify(stored)).not.toContain(created.key);
  });

  it("keeps each created key to its own tenant's documents", async () => {
    const test = await start();
    const alpha = { authorization: `Bearer ${(await createKey(test, { tenant: "alpha", scopes: ["read", "write"] })).key}` };
    const beta = { authorization: `Bearer ${(await createKey(test, { tenant: "beta", scopes: ["read", "write"] })).key}` };
    expect((await test.app.request("/v1/documents/secret", jsonRequest("PUT", { text: "The alpha vault is under the lamp." }, alpha))).status).toBe(202);
    await waitFor(
      async () => ((await (await test.app.request("/v1/documents/secret", { headers: alpha })).json()) as { status: string }).status === "indexed",
      "the alpha document to be indexed",
    );
    expect((await test.app.request("/v1/documents/secret", { headers: beta })).status).toBe(404);
  });

  it("a revoked key is refused within a second, an expired key at once", async () => {
    const test = await start();
    const created = await createKey(test, { tenant: "acme", scopes: ["read"] });
    const reader = { authorization: `Bearer ${created.key}` };
    expect((await test.app.request("/v1/documents", { headers: reader })).status).toBe(200);
    const revoked = await test.app.request(`/v1/keys/${created.id}`, { method: "DELETE", headers: admin });
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as CreatedKey).revoked_at).toEqual(expect.any(String));
    await waitFor(async () => (await test.app.request("/v1/documents", { headers: reader })).status === 401, "the revoked key to be refused", 2_000, 100);
    expect((await test.app.request("/v1/keys/0123456789abcdef", { method: "DELETE", headers: admin })).status).toBe(404);

    const soon = await createKey(test, { tenant: "acme", scopes: ["read"], expires_at: new Date(Date.now() + 1_500).toISOString() });
    const shortLived = { authorization: `Bearer ${soon.key}` };
    expect((await test.app.request("/v1/documents", { headers: shortLived })).status).toBe(200);
    await waitFor(async () => (await test.app.request("/v1/documents", { headers: shortLived })).status === 401, "the expired key to be refused", 5_000, 100);
  });

  it("refuses bad key requests with 400 naming the field", async () => {
    const test = await start();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ tenant: "acme", scopes: [] }, "scopes"],
      [{ tenant: "acme", scopes: ["root"] }, "scopes"],
      [{ tenant: "acme", scopes: ["read", "read"] }, "scopes"],
      [{ tenant: "no spaces", scopes: ["read"] }, "tenant"],
      [{ tenant: "acme", scopes: ["read"], expires_at: "tomorrow" }, "expires_at"],
      [{ tenant: "acme", scopes: ["read"], expires_at: "2001-01-01T00:00:00Z" }, "expires_at"],
      [{ tenant: "acme", scopes: ["read"], extra: true }, ""],
    ];
    for (const [body, path] of cases) {
      const response = await test.app.request("/v1/keys", jsonRequest("POST", body, admin));
      expect(response.status, JSON.stringify(body)).toBe(400);
      const issues = ((await response.json()) as { error: { details: { issues: Array<{ path: string }> } } }).error.details.issues;
      expect(
        issues.some((issue) => issue.path.startsWith(path)),
        `${JSON.stringify(body)} → ${JSON.stringify(issues)}`,
      ).toBe(true);
    }
  });

  it("metrics.requireKey: /metrics answers an admin key only (it carries every tenant's labels)", async () => {
    const test = await startTestRuntime({
      auth: {
        apiKeys: [
          { key: ADMIN, tenant: "operator", scopes: ["admin"] },
          { key: "tenant-reader-key-0123456789", tenant: "acme" },
        ],
      },
      metrics: { requireKey: true },
    });
    runtimes.push(test);
    expect((await test.app.request("/metrics")).status).toBe(401);
    expect((await test.app.request("/metrics", { headers: { authorization: "Bearer tenant-reader-key-0123456789" } })).status).toBe(403);
    const allowed = await test.app.request("/metrics", { headers: admin });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(/^# HELP /m);
    expect((await test.app.request("/healthz")).status).toBe(200);
    const open = await start();
    expect((await open.app.request("/metrics")).status).toBe(200);
  });

  it("with no key configured or created, auth is off and /v1/keys is refused", async () => {
    const test = await startTestRuntime();
    runtimes.push(test);
    expect((await test.app.request("/v1/documents")).status).toBe(200);
    const response = await test.app.request("/v1/keys", jsonRequest("POST", { tenant: "acme", scopes: ["read"] }));
    expect(response.status).toBe(403);
  });
});
