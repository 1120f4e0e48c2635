import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startOtlpReceiverStandIn, type OtlpReceiverStandIn } from "../helpers/otlp-receiver-stand-in.js";
import { startService, type ServiceProcess } from "../helpers/service-process.js";
import { waitFor } from "../helpers/wait-for.js";

describe("npm start with OTEL_EXPORTER_OTLP_ENDPOINT (real process; the collector played by a loopback OTLP/HTTP receiver stand-in)", () => {
  let service: ServiceProcess | undefined;
  let receiver: OtlpReceiverStandIn | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    await service?.kill();
    await receiver?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("exports an upload's ingest batch and a query's request span, and flushes what is left when stopped", async () => {
    receiver = await startOtlpReceiverStandIn();
    dataDir = await mkdtemp(join(tmpdir(), "ragline-otlp-e2e-"));
    service = await startService({ DATA_DIR: dataDir, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SERVICE_NAME: "ragline-e2e" });

    const upload = await fetch(`${service.url}/v1/documents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "Mount Etna is an active stratovolcano on the east coast of Sicily." }),
    });
    expect(upload.status).toBe(202);
    await waitFor(async () => receiver!.spans().some((span) => span.name === "ingest.batch"), "the ingest batch exported", 20_000, 100);

    // Asked right before stopping: its spans wait in the batch processor (5 s) and leave only with the shutdown flush.
    const query = await fetch(`${service.url}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
      body: JSON.stringify({ question: "Where is Mount Etna?", mode: "retrieve" }),
    });
    expect(query.status).toBe(200);
    expect(query.headers.get("x-trace-id")).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(await service.stop()).toBe(0);
    const spans = receiver.spans();
    expect(spans.find((span) => span.name === "POST /v1/query")).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", serviceName: "ragline-e2e" });
    expect(receiver.received.every((entry) => entry.path === "/v1/traces")).toBe(true);
  });
});
