import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { QdrantOpenApiStandIn } from "../contracts/qdrant-openapi-stand-in.js";
import { freePort, startService, type ServiceProcess } from "../helpers/service-process.js";
import { waitFor } from "../helpers/wait-for.js";

describe("QDRANT_URL pointing at nothing at start-up (real process; Qdrant played by the spec-validating stand-in, not a live Qdrant)", () => {
  let service: ServiceProcess | undefined;
  let standIn: QdrantOpenApiStandIn | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    await service?.kill();
    await standIn?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("starts, serves the no-retrieval fallback with /readyz down, then creates its collection once the store is back", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ragline-store-down-"));
    const port = await freePort();
    service = await startService({ DATA_DIR: dataDir, QDRANT_URL: `http://127.0.0.1:${port}`, RAGLINE_STORE_TIMEOUT_MS: "1000" });

    const notReady = await fetch(`${service.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ dependencies: { vector_store: { status: "down" } } });
    const fallback = await fetch(`${service.url}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: "Where is the reactor?" }),
    });
    expect(fallback.status).toBe(200);
    expect(fallback.headers.get("x-retrieval-status")).toBe("unavailable");
    const body = (await fallback.json()) as { answer: string; degraded: boolean; retrieval: { status: string } };
    expect(body).toMatchObject({ degraded: true, retrieval: { status: "unavailable" } });
    expect(body.answer).toMatch(/unavailable/i);

    standIn = await QdrantOpenApiStandIn.start(undefined, { port });
    await waitFor(async () => (await fetch(`${service!.url}/readyz`)).status === 200, "readiness once the store is back", 20_000, 250);
    expect(standIn.requestsFor("create_collection")).toHaveLength(1);

    const upload = await fetch(`${service.url}/v1/documents/reactor`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "The Zorblax reactor stands in Tromsø and was commissioned in 1987." }),
    });
    expect(upload.status).toBe(202);
    await waitFor(
      async () => ((await (await fetch(`${service!.url}/v1/documents/reactor`)).json()) as { status: string }).status === "indexed",
      "document indexed in the stand-in",
      20_000,
      100,
    );
    const answered = await fetch(`${service.url}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: "When was the Zorblax reactor commissioned?" }),
    });
    expect(answered.headers.get("x-retrieval-status")).toBe("ok");
    expect(((await answered.json()) as { answer: string }).answer).toContain("1987");
    expect(standIn.violations).toEqual([]);
  }, 90_000);
});
