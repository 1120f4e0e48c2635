import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./stand-in-http.js";

/** One export the receiver got: the path, content type and the parsed OTLP/JSON body. */
export interface ReceivedExport {
  path: string;
  contentType: string | undefined;
  body: OtlpTraces;
}

/** The parts of an OTLP/JSON ExportTraceServiceRequest the tests read. */
export interface OtlpTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string }> }>;
  }>;
}

export interface OtlpReceiverStandIn {
  /** The base URL to put in OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  received: ReceivedExport[];
  /** Every span received, with its resource's service.name. */
  spans(): Array<{ name: string; traceId: string; serviceName: string | undefined }>;
  close(): Promise<void>;
}

/**
 * A local stand-in for an OpenTelemetry collector's OTLP/HTTP receiver (127.0.0.1 only; no
 * collector runs in the test environment): records every POST /v1/traces with an OTLP/JSON body
 * and answers 200 `{}` as the collector does; anything else is a 404.
 */
export async function startOtlpReceiverStandIn(): Promise<OtlpReceiverStandIn> {
  const received: ReceivedExport[] = [];
  const server: Server = createServer(async (request, response) => {
    const raw = await readBody(request);
    if (request.method !== "POST" || request.url !== "/v1/traces") {
      response.writeHead(404).end();
      return;
    }
    received.push({ path: request.url, contentType: request.headers["content-type"], body: JSON.parse(raw) as OtlpTraces });
    response.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    spans: () =>
      received.flatMap(({ body }) =>
        (body.resourceSpans ?? []).flatMap((resourceSpans) => {
          const serviceName = resourceSpans.resource?.attributes?.find((attribute) => attribute.key === "service.name")?.value.stringValue;
          return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
            (scope.spans ?? []).map((span) => ({ name: span.name, traceId: span.traceId, serviceName })),
          );
        }),
      ),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
