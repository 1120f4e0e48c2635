import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { composeRuntime, type Runtime } from "../../src/compose/compose-runtime.js";
import { configSchema } from "../../src/config/schema.js";
import { createApp } from "../../src/http/create-app.js";
import { Metrics } from "../../src/observability/metrics.js";
import { startTracing, tracingRequested, type Tracing } from "../../src/observability/tracing.js";
import { noopTracer } from "../../src/ports/tracer.js";
import { startOtlpReceiverStandIn, type OtlpReceiverStandIn } from "../helpers/otlp-receiver-stand-in.js";
import { recordingLogger } from "../helpers/recording-logger.js";
import { jsonRequest } from "../helpers/test-runtime.js";

describe("trace export follows the OTEL_* variables (a loopback OTLP/HTTP receiver stand-in)", () => {
  let receiver: OtlpReceiverStandIn;
  let dataDir: string;
  let runtime: Runtime | null = null;

  beforeEach(async () => {
    receiver = await startOtlpReceiverStandIn();
    dataDir = await mkdtemp(join(tmpdir(), "ragline-otlp-test-"));
  });
  afterEach(async () => {
    await runtime?.close();
    runtime = null;
    await receiver.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The embedded service with the given tracing; asks one question (retrieve mode) and returns the response and the log lines. */
  async function askOnce(tracing: Tracing) {
    const config = configSchema.parse({ server: { dataDir, logLevel: "silent" } });
    const logs = recordingLogger();
    runtime = await composeRuntime({
      config,
      retrievalSettings: { current: () => config.retrieval },
      logger: logs,
      metrics: new Metrics(),
      tracer: tracing.tracer,
    });
    const response = await createApp(runtime.deps).request(
      "/v1/query",
      jsonRequest("POST", { question: "What is on the east coast of Sicily?", mode: "retrieve" }),
    );
    expect(response.status).toBe(200);
    return { response, logs };
  }

  it("exports the request's spans over OTLP/HTTP JSON to <endpoint>/v1/traces when OTEL_EXPORTER_OTLP_ENDPOINT is set, as service ragline", async () => {
    const tracing = startTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.endpoint}/` } });
    expect(tracing.tracer.enabled).toBe(true);
    const { response } = await askOnce(tracing);
    await tracing.shutdown(); // flushes the batch processor

    expect(receiver.received.length).toBeGreaterThanOrEqual(1);
    expect(receiver.received[0]!.contentType).toContain("application/json");
    const traceId = response.headers.get("x-trace-id");
    const exported = receiver.spans().filter((span) => span.traceId === traceId);
    expect(exported.map((span) => span.name)).toEqual(
      expect.arrayContaining(["POST /v1/query", "retrieval", "retrieval.embed_query", "vector_store.candidates"]),
    );
    expect(new Set(exported.map((span) => span.serviceName))).toEqual(new Set(["ragline"]));
  });

  it("names the service from OTEL_SERVICE_NAME and sends to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given", async () => {
    const tracing = startTracing({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`, OTEL_SERVICE_NAME: "ragline-eu" } });
    await askOnce(tracing);
    await tracing.shutdown();
    expect(receiver.spans().length).toBeGreaterThan(0);
    expect(new Set(receiver.spans().map((span) => span.serviceName))).toEqual(new Set(["ragline-eu"]));
  });

  it("is off without an endpoint: the no-op tracer, no trace headers, no trace ids in the logs, nothing exported", async () => {
    const tracing = startTracing({ env: {} });
    expect(tracing.tracer).toBe(noopTracer);
    const { response, logs } = await askOnce(tracing);
    await tracing.shutdown();

    expect(response.headers.get("traceparent")).toBeNull();
    expect(response.headers.get("x-trace-id")).toBeNull();
    expect(logs.lines.map((line) => line.message)).toContain("request");
    expect(logs.lines.filter((line) => "traceId" in line.fields)).toEqual([]);
    expect(receiver.received).toEqual([]);
  });

  it("stays off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none even when an endpoint is set", async () => {
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SDK_DISABLED: "true" })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_TRACES_EXPORTER: "none" })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: " " })).toBe(false);
    const tracing = startTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SDK_DISABLED: "true" } });
    expect(tracing.tracer).toBe(noopTracer);
    await askOnce(tracing);
    await tracing.shutdown();
    expect(receiver.received).toEqual([]);
  });
});
