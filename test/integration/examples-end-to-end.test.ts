import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/http/create-app.js";
import { startStandInRuntime } from "../helpers/model-layer-fixtures.js";
import { startOpenAiStandIn, type OpenAiStandIn } from "../helpers/openai-stand-in-server.js";
import { jsonRequest } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

/**
 * Corrections as few-shot examples, end to end through the HTTP API and the composed service (the
 * real example source on the state database, the model answerer against the loopback OpenAI-compatible
 * stand-in server): a reviewer's correction for one question is in the prompt of the next similar
 * question of its tenant, never in another tenant's, and not after its feedback is deleted.
 */
const TENANTS = {
  north: "north-tenant-key-0123456789abcd",
  south: "south-tenant-key-0123456789abcd",
} as const;
type Tenant = keyof typeof TENANTS;
const as = (tenant: Tenant) => ({ authorization: `Bearer ${TENANTS[tenant]}` });
const TEXT = "Mount Etna is an active stratovolcano on the east coast of Sicily. It erupts frequently and its lava flows have reached nearby towns.";
const QUESTION = "Where is Mount Etna?";
const CORRECTION = "Mount Etna stands on the east coast of Sicily, above Catania.";

describe("reviewed corrections as examples in the prompt (HTTP, composed service, stand-in model)", () => {
  let standIn: OpenAiStandIn;
  let service: Awaited<ReturnType<typeof startStandInRuntime>>;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    standIn = await startOpenAiStandIn();
    service = await startStandInRuntime(standIn.baseUrl, {
      auth: { apiKeys: (Object.keys(TENANTS) as Tenant[]).map((tenant) => ({ key: TENANTS[tenant], tenant, scopes: ["read", "write", "review"] })) },
    });
    app = createApp(service.runtime.deps);
    for (const tenant of Object.keys(TENANTS) as Tenant[]) {
      expect((await app.request("/v1/documents/etna", jsonRequest("PUT", { text: TEXT }, as(tenant)))).status).toBe(202);
      await waitFor(
        async () => ((await (await app.request("/v1/documents/etna", { headers: as(tenant) })).json()) as { status: string }).status === "indexed",
        `${tenant}'s document indexed`,
      );
    }
  });
  afterAll(async () => {
    await service?.close();
    await standIn.close();
  });

  /** Asks as `tenant`; returns the response body and the prompt the model was sent. */
  async function ask(tenant: Tenant, question: string) {
    standIn.requests.length = 0;
    const response = await app.request("/v1/query", jsonRequest("POST", { question }, as(tenant)));
    expect(response.status).toBe(200);
    const prompt = standIn
      .chatRequests()
      .flatMap((request) => request.body.messages!.map((message) => message.content))
      .join("\n");
    return { body: (await response.json()) as { answer_id: string; examples: string[] }, prompt };
  }

  it("puts one tenant's correction in its own next prompt only, and drops it once the feedback is deleted", async () => {
    const first = await ask("north", QUESTION);
    expect(first.body.examples).toEqual([]);
    expect(first.prompt).not.toContain(CORRECTION);
    const feedback = await app.request(
      `/v1/answers/${first.body.answer_id}/feedback`,
      jsonRequest("POST", { rating: "down", corrected_answer: CORRECTION }, as("north")),
    );
    expect(feedback.status).toBe(201);
    const feedbackId = ((await feedback.json()) as { id: string }).id;

    const again = await ask("north", QUESTION);
    expect(again.body.examples).toEqual([feedbackId]);
    expect(again.prompt).toContain(CORRECTION);

    const elsewhere = await ask("south", QUESTION);
    expect(elsewhere.body.examples).toEqual([]);
    expect(elsewhere.prompt).not.toContain(CORRECTION);

    expect((await app.request(`/v1/feedback/${feedbackId}`, { method: "DELETE", headers: as("north") })).status).toBeLessThan(300);
    const afterDelete = await ask("north", QUESTION);
    expect(afterDelete.body.examples).toEqual([]);
    expect(afterDelete.prompt).not.toContain(CORRECTION);
  });
});
