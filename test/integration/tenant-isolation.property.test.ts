import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonRequest, startTestRuntime, type TestRuntime } from "../helpers/test-runtime.js";

// Tenant isolation as a property: random sequences of operations by two tenants over every tenant
// route (documents, bulk uploads, batches, jobs, queries with filters, usage), with a check after each
// answer that nothing of the other tenant shows: no text or title (each tenant writes its own marker
// word), no batch or job id it was given, and its objects are 404 here.

// Each tenant has a writer (read, write: its corrections open reviews) and a reviewer (read, write, review).
const TENANTS = {
  alpha: { key: "tenant-alpha-key-0123456789ab", reviewerKey: "tenant-alpha-reviewer-0123456", marker: "alphamarker" },
  beta: { key: "tenant-beta-key-0123456789abc", reviewerKey: "tenant-beta-reviewer-01234567", marker: "betamarker" },
} as const;
type Tenant = keyof typeof TENANTS;
const other = (tenant: Tenant): Tenant => (tenant === "alpha" ? "beta" : "alpha");
const headers = (tenant: Tenant) => ({ authorization: `Bearer ${TENANTS[tenant].key}` });
const reviewerHeaders = (tenant: Tenant) => ({ authorization: `Bearer ${TENANTS[tenant].reviewerKey}` });

// Document ids both tenants use, so that the same id must still mean two documents.
const IDS = ["shared", "notes", "report-1", "report-2"];
const WORDS = ["volcano", "harbour", "ledger", "orchard", "quartz", "signal", "meadow", "copper"];

type Operation =
  | { kind: "put"; tenant: Tenant; id: string; words: string[] }
  | { kind: "bulk"; tenant: Tenant; ids: string[]; words: string[] }
  | { kind: "patch"; tenant: Tenant; id: string }
  | { kind: "delete"; tenant: Tenant; id: string }
  | { kind: "get"; tenant: Tenant; id: string }
  | { kind: "list"; tenant: Tenant }
  | { kind: "query"; tenant: Tenant; words: string[]; filterIds: string[] | null }
  | { kind: "peek-batch"; tenant: Tenant }
  | { kind: "peek-job"; tenant: Tenant }
  | { kind: "jobs"; tenant: Tenant; state: "queued" | "active" | "completed" | "failed" }
  | { kind: "usage"; tenant: Tenant }
  | { kind: "ask"; tenant: Tenant; words: string[] }
  | { kind: "correct"; tenant: Tenant; by: "writer" | "reviewer" }
  | { kind: "reviews"; tenant: Tenant; state: "pending" | "approved" | "rejected" | "corrected" }
  | { kind: "peek-answer"; tenant: Tenant };

const tenantArb = fc.constantFrom<Tenant>("alpha", "beta");
const idArb = fc.constantFrom(...IDS);
const wordsArb = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 });
const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant("put" as const), tenant: tenantArb, id: idArb, words: wordsArb }),
  fc.record({ kind: fc.constant("bulk" as const), tenant: tenantArb, ids: fc.uniqueArray(idArb, { minLength: 1, maxLength: 3 }), words: wordsArb }),
  fc.record({ kind: fc.constant("patch" as const), tenant: tenantArb, id: idArb }),
  fc.record({ kind: fc.constant("delete" as const), tenant: tenantArb, id: idArb }),
  fc.record({ kind: fc.constant("get" as const), tenant: tenantArb, id: idArb }),
  fc.record({ kind: fc.constant("list" as const), tenant: tenantArb }),
  fc.record({
    kind: fc.constant("query" as const),
    tenant: tenantArb,
    words: wordsArb,
    filterIds: fc.option(fc.uniqueArray(idArb, { minLength: 1, maxLength: 2 })),
  }),
  fc.record({ kind: fc.constant("peek-batch" as const), tenant: tenantArb }),
  fc.record({ kind: fc.constant("peek-job" as const), tenant: tenantArb }),
  fc.record({
    kind: fc.constant("jobs" as const),
    tenant: tenantArb,
    state: fc.constantFrom("queued" as const, "active" as const, "completed" as const, "failed" as const),
  }),
  fc.record({ kind: fc.constant("usage" as const), tenant: tenantArb }),
  fc.record({ kind: fc.constant("ask" as const), tenant: tenantArb, words: wordsArb }),
  fc.record({ kind: fc.constant("correct" as const), tenant: tenantArb, by: fc.constantFrom("writer" as const, "reviewer" as const) }),
  fc.record({
    kind: fc.constant("reviews" as const),
    tenant: tenantArb,
    state: fc.constantFrom("pending" as const, "approved" as const, "rejected" as const, "corrected" as const),
  }),
  fc.record({ kind: fc.constant("peek-answer" as const), tenant: tenantArb }),
);

/** What each tenant was handed: batch and job ids (unique across tenants), to look for in the other's answers. */
const handed: Record<Tenant, { batches: Set<string>; jobs: Set<string>; answers: Set<string>; feedback: Set<string> }> = {
  alpha: { batches: new Set(), jobs: new Set(), answers: new Set(), feedback: new Set() },
  beta: { batches: new Set(), jobs: new Set(), answers: new Set(), feedback: new Set() },
};

function remember(tenant: Tenant, body: unknown): void {
  const visit = (node: unknown, key: string | null): void => {
    if (Array.isArray(node)) return node.forEach((item) => visit(item, key));
    if (node && typeof node === "object") return Object.entries(node).forEach(([name, value]) => visit(value, name));
    if (typeof node === "string" && key === "batch_id") handed[tenant].batches.add(node);
    if (typeof node === "string" && key === "job_id") handed[tenant].jobs.add(node);
    if (typeof node === "string" && key === "answer_id") handed[tenant].answers.add(node);
    if (typeof node === "string" && key === "id" && node.startsWith("fb_")) handed[tenant].feedback.add(node);
  };
  visit(body, null);
}

function text(tenant: Tenant, words: string[]): string {
  return `${TENANTS[tenant].marker} ${words.join(" ")}. The ${TENANTS[tenant].marker} team wrote this about ${words[0]}.`;
}

describe("tenant isolation (property, two tenants, every tenant route: documents, batches, jobs, query, usage, answers, feedback, reviews)", () => {
  let test: TestRuntime;
  beforeAll(async () => {
    test = await startTestRuntime({
      auth: {
        apiKeys: (["alpha", "beta"] as const).flatMap((tenant) => [
          { key: TENANTS[tenant].key, tenant, scopes: ["read", "write"] },
          { key: TENANTS[tenant].reviewerKey, tenant, scopes: ["read", "write", "review"] },
        ]),
      },
      limits: { requestsPerMinutePerKey: 0, requestsPerMinutePerTenant: 0, concurrentUploadsPerTenant: 0 },
    });
  });
  afterAll(async () => {
    await test?.close();
  });

  async function run(operation: Operation): Promise<{ status: number; body: string }> {
    const as = headers(operation.tenant);
    const them = other(operation.tenant);
    const pick = (values: Set<string>) => [...values][values.size - 1];
    let response: Response;
    switch (operation.kind) {
      case "put":
        response = await test.app.request(
          `/v1/documents/${operation.id}`,
          jsonRequest("PUT", { text: text(operation.tenant, operation.words), title: `${TENANTS[operation.tenant].marker} title` }, as),
        );
        break;
      case "bulk":
        response = await test.app.request(
          "/v1/documents",
          jsonRequest("POST", { documents: operation.ids.map((id) => ({ id, text: text(operation.tenant, [...operation.words, id]) })) }, as),
        );
        break;
      case "patch":
        response = await test.app.request(`/v1/documents/${operation.id}`, jsonRequest("PATCH", { metadata: { owner: TENANTS[operation.tenant].marker } }, as));
        break;
      case "delete":
        response = await test.app.request(`/v1/documents/${operation.id}`, { method: "DELETE", headers: as });
        break;
      case "get":
        response = await test.app.request(`/v1/documents/${operation.id}`, { headers: as });
        break;
      case "list":
        response = await test.app.request("/v1/documents?limit=100", { headers: as });
        break;
      case "query": {
        const question = `${TENANTS[them].marker} ${operation.words.join(" ")}`;
        const filter = operation.filterIds ? { document_ids: operation.filterIds } : undefined;
        response = await test.app.request("/v1/query", jsonRequest("POST", { question, mode: "retrieve", min_score: 0, top_k: 20, filter }, as));
        break;
      }
      case "peek-batch": {
        const theirs = pick(handed[them].batches);
        if (!theirs) return { status: 404, body: "" };
        response = await test.app.request(`/v1/batches/${theirs}`, { headers: as });
        expect(response.status, `${operation.tenant} read ${them}'s batch`).toBe(404);
        // The 404 names the id this tenant sent; that is no leak.
        return { status: response.status, body: "" };
      }
      case "peek-job": {
        const theirs = pick(handed[them].jobs);
        if (!theirs) return { status: 404, body: "" };
        response = await test.app.request(`/v1/jobs/${theirs}`, { headers: as });
        expect(response.status, `${operation.tenant} read ${them}'s job`).toBe(404);
        const retry = await test.app.request(`/v1/jobs/${theirs}/retry`, { method: "POST", headers: as });
        expect(retry.status, `${operation.tenant} retried ${them}'s job`).toBe(404);
        return { status: response.status, body: "" };
      }
      case "jobs":
        response = await test.app.request(`/v1/jobs?state=${operation.state}&limit=100`, { headers: as });
        break;
      case "usage":
        response = await test.app.request("/v1/usage?group_by=tenant,key", { headers: as });
        break;
      case "ask":
        // No tenant marker in the question: both tenants ask alike, so a correction of one would be the
        // other's nearest example if examples crossed tenants (its id would then show in `examples`).
        response = await test.app.request("/v1/query", jsonRequest("POST", { question: `What about ${operation.words.join(" ")}?` }, as));
        break;
      case "correct": {
        const own = pick(handed[operation.tenant].answers);
        if (!own) return { status: 404, body: "" };
        const corrected = text(operation.tenant, ["corrected"]);
        // A writer's correction opens a pending review; a reviewer's becomes an example at once.
        const by = operation.by === "writer" ? as : reviewerHeaders(operation.tenant);
        response = await test.app.request(`/v1/answers/${own}/feedback`, jsonRequest("POST", { rating: "down", corrected_answer: corrected }, by));
        break;
      }
      case "reviews":
        response = await test.app.request(`/v1/reviews?state=${operation.state}&limit=100`, { headers: reviewerHeaders(operation.tenant) });
        break;
      case "peek-answer": {
        const answer = pick(handed[them].answers);
        const feedback = pick(handed[them].feedback);
        if (answer) {
          const rated = await test.app.request(`/v1/answers/${answer}/feedback`, jsonRequest("POST", { rating: "up" }, as));
          expect(rated.status, `${operation.tenant} rated ${them}'s answer`).toBe(404);
        }
        if (feedback) {
          const removed = await test.app.request(`/v1/feedback/${feedback}`, { method: "DELETE", headers: as });
          expect(removed.status, `${operation.tenant} deleted ${them}'s feedback`).toBe(404);
        }
        return { status: 404, body: "" };
      }
    }
    const body = await response.text();
    expect(response.status, `${operation.kind} by ${operation.tenant}: ${body.slice(0, 300)}`).toBeLessThan(500);
    if (body.startsWith("{")) remember(operation.tenant, JSON.parse(body));
    return { status: response.status, body };
  }

  function assertNothingOf(them: Tenant, body: string, operation: Operation): void {
    expect(body.includes(TENANTS[them].marker), `${operation.kind} by ${other(them)} showed ${them}'s text: ${body.slice(0, 300)}`).toBe(false);
    for (const id of [...handed[them].batches, ...handed[them].jobs, ...handed[them].answers, ...handed[them].feedback]) {
      expect(body.includes(id), `${operation.kind} by ${other(them)} showed ${them}'s id ${id}`).toBe(false);
    }
    expect(body.includes(`"tenant":"${them}"`), `${operation.kind} by ${other(them)} named tenant ${them}`).toBe(false);
  }

  it("no answer to one tenant shows anything of the other", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operationArb, { minLength: 4, maxLength: 14 }), async (operations) => {
        for (const operation of operations) {
          const { body } = await run(operation);
          assertNothingOf(other(operation.tenant), body, operation);
        }
      }),
      { numRuns: 25, seed: 20261127, endOnFailure: true },
    );
    // The run did exercise both tenants' objects: each was handed batches and jobs, and retrieval found its own text.
    expect(handed.alpha.batches.size).toBeGreaterThan(0);
    expect(handed.beta.jobs.size).toBeGreaterThan(0);
    expect(handed.alpha.answers.size + handed.beta.answers.size).toBeGreaterThan(0);
    expect(handed.alpha.feedback.size + handed.beta.feedback.size).toBeGreaterThan(0);
    const pending = await test.app.request("/v1/reviews?state=pending&limit=100", { headers: reviewerHeaders("alpha") });
    const beta = await test.app.request("/v1/reviews?state=pending&limit=100", { headers: reviewerHeaders("beta") });
    const count = async (response: Response) => ((await response.json()) as { reviews: unknown[] }).reviews.length;
    expect((await count(pending)) + (await count(beta)), "the run opened reviews to list").toBeGreaterThan(0);
    const own = await test.app.request("/v1/query", jsonRequest("POST", { question: "alphamarker team", mode: "retrieve", min_score: 0 }, headers("alpha")));
    const hits = ((await own.json()) as { retrieval: { hits: Array<{ text: string }> } }).retrieval.hits;
    if (hits.length > 0) expect(hits.every((hit) => hit.text.includes("alphamarker"))).toBe(true);
  }, 120_000);
});
