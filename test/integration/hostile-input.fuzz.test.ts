import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";

// A seeded fuzz run over every route through a real socket: malformed JSON, wrong types, huge and
// deeply nested values, invalid UTF-8, NUL bytes, odd ids and cursors, multipart and NDJSON edge
// cases. Every answer is below 500 and arrives in time, and the service still answers afterwards.

const KEY = "fuzz-tenant-key-0123456789abcdef";
const ADMIN = "fuzz-admin-key-0123456789abcdef";

const ROUTES: Array<{ method: string; path: (id: string) => string; body: boolean }> = [
  { method: "POST", path: () => "/v1/documents", body: true },
  { method: "GET", path: () => "/v1/documents", body: false },
  { method: "PUT", path: (id) => `/v1/documents/${id}`, body: true },
  { method: "PATCH", path: (id) => `/v1/documents/${id}`, body: true },
  { method: "GET", path: (id) => `/v1/documents/${id}`, body: false },
  { method: "DELETE", path: (id) => `/v1/documents/${id}`, body: false },
  { method: "GET", path: (id) => `/v1/batches/${id}`, body: false },
  { method: "GET", path: () => "/v1/jobs", body: false },
  { method: "GET", path: (id) => `/v1/jobs/${id}`, body: false },
  { method: "POST", path: (id) => `/v1/jobs/${id}/retry`, body: false },
  { method: "POST", path: () => "/v1/query", body: true },
  { method: "POST", path: () => "/v1/keys", body: true },
  { method: "GET", path: () => "/v1/keys", body: false },
  { method: "DELETE", path: (id) => `/v1/keys/${id}`, body: false },
  { method: "GET", path: () => "/v1/usage", body: false },
];

const deep = (depth: number): unknown => (depth === 0 ? "bottom" : { nested: deep(depth - 1) });
const deepArray = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);

const oddIds = fc.constantFrom(
  "doc-1",
  "a".repeat(600),
  "%00",
  "..%2F..%2Fetc%2Fpasswd",
  "%E2%80%AE",
  "%FF%FE",
  "id%20with%20space",
  "%F0%9F%92%A5",
  "-",
  "ingest:x:1",
  "0123456789abcdef",
);
const oddQueries = fc.constantFrom(
  "",
  "?limit=-1",
  "?limit=1e9",
  "?limit=abc",
  "?cursor=%00%00",
  "?cursor=not-a-cursor",
  "?cursor=" + "Zm9v".repeat(300),
  "?state=bogus",
  "?state=failed&limit=0",
  "?status=indexed&status=failed",
  "?group_by=day,,model",
  "?from=2026-13-45T00:00:00Z",
  "?tenant=..%2F",
);

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constant({ text: 12 }),
  fc.constant({ text: "" }),
  fc.constant({ text: "\u0000\u0000 nul bytes \u0000" }),
  fc.constant({ question: ["not", "a", "string"] }),
  fc.constant({ question: "ok", top_k: -5, min_score: 7 }),
  fc.constant({ question: "ok", filter: { document_ids: Array.from({ length: 5_000 }, (_, index) => `d${index}`) } }),
  fc.constant({ documents: [] }),
  fc.constant({ documents: Array.from({ length: 3 }, () => ({ text: 5 })) }),
  fc.constant({ documents: "not an array" }),
  fc.constant({ metadata: deep(200) }),
  fc.constant({ title: "t".repeat(100_000), text: "x" }),
  fc.constant({ tenant: "acme", scopes: ["read"], expires_at: "9999-99-99" }),
  fc.constant(deep(1_000)),
);

type Body = { contentType: string; bytes: Uint8Array };
const encoder = new TextEncoder();
const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  jsonValue.map((value) => ({ contentType: "application/json", bytes: encoder.encode(JSON.stringify(value)) })),
  fc.string({ maxLength: 200 }).map((text) => ({ contentType: "application/json", bytes: encoder.encode(text) })),
  fc.constant({ contentType: "application/json", bytes: encoder.encode(deepArray(50_000)) }),
  fc.constant({
    contentType: "application/json",
    bytes: Uint8Array.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
  }),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ contentType: "application/json", bytes })),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ contentType: "application/octet-stream", bytes })),
  fc.constant({ contentType: "application/x-ndjson", bytes: encoder.encode('{"text":"one"}\n{"text":\n\n{"bad json\n' + "x".repeat(10_000) + "\n") }),
  fc.constant({ contentType: "multipart/form-data", bytes: encoder.encode("--no-boundary-declared\r\n\r\n") }),
  fc.constant({
    contentType: "multipart/form-data; boundary=XYZ",
    bytes: encoder.encode('--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nunterminated part'),
  }),
  fc.constant({
    contentType: "multipart/form-data; boundary=XYZ",
    bytes: encoder.encode(
      '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="../../x.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--XYZ--\r\n',
    ),
  }),
  fc.constant({ contentType: "text/plain; charset=utf-16", bytes: Uint8Array.from([0xff, 0xfe, 0x00, 0xd8]) }),
  fc.constant({ contentType: "", bytes: new Uint8Array() }),
);

const requestArb = fc.record({
  route: fc.constantFrom(...ROUTES),
  id: oddIds,
  query: oddQueries,
  body: bodyArb,
  key: fc.constantFrom(KEY, ADMIN, "", `${KEY} `, "Bearer", "\u00e9t\u00e9-key-0123456789"),
});

describe("hostile input over every route (seeded fuzz, real socket)", () => {
  let test: TestRuntime;
  let server: ServerType;
  let base = "";

  beforeAll(async () => {
    test = await startTestRuntime({
      auth: {
        apiKeys: [
          { key: KEY, tenant: "fuzz", scopes: ["read", "write", "review"] },
          { key: ADMIN, tenant: "operator", scopes: ["admin"] },
        ],
      },
      limits: { requestsPerMinutePerKey: 0, requestsPerMinutePerTenant: 0, concurrentUploadsPerTenant: 0 },
    });
    base = await new Promise<string>((resolve) => {
      server = serve({ fetch: test.app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await test?.close();
  });

  it("never answers 5xx, never hangs, and the service stays up", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async ({ route, id, query, body, key }) => {
        const headers: Record<string, string> = {};
        if (key) headers.authorization = `Bearer ${key}`;
        if (route.body && body.contentType) headers["content-type"] = body.contentType;
        let response: Response;
        try {
          response = await fetch(`${base}${route.path(id)}${query}`, {
            method: route.method,
            headers,
            body: route.body ? new Blob([Buffer.from(body.bytes)]) : undefined,
            signal: AbortSignal.timeout(15_000),
          });
        } catch (error) {
          // Header values a client refuses to send (non-ASCII keys) never reach the server; nothing to check.
          if (error instanceof TypeError && /header/i.test(String(error.message) + String((error as { cause?: Error }).cause?.message))) return;
          throw error;
        }
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, `${route.method} ${route.path(id)}${query} → ${text.slice(0, 300)}`).toBeLessThan(500);
        if (response.status >= 400) expect(() => JSON.parse(text), `error body of ${route.method} ${route.path(id)} is JSON`).not.toThrow();
      }),
      { numRuns: 400, seed: 20261127, endOnFailure: true },
    );
    // The run reached the routes' own checks, not only the key check.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(20);
    expect(statuses.get(401) ?? 0).toBeGreaterThan(20);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/v1/documents`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
  }, 240_000);
});
