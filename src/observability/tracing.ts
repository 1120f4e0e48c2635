import { context, diag, DiagLogLevel } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { noopTracer, type Tracer } from "../ports/tracer.js";
import type { Logger } from "../ports/logger.js";
import { createOtelTracer } from "./otel-tracer.js";

/** The service's tracing: the Tracer port to hand to compose, and how to flush it at shutdown. */
export interface Tracing {
  tracer: Tracer;
  /** Flushes spans not yet exported and stops the SDK (nothing to do when tracing is off). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** The OTEL_* variables (process.env by default). */
  env?: NodeJS.ProcessEnv;
  /** Exports every span at once to this exporter instead of OTLP (tests: an InMemorySpanExporter). */
  exporter?: SpanExporter;
  /** Where the SDK's own warnings and errors go (an export that fails, a bad OTEL_* value). */
  logger?: Logger;
}

const SERVICE_VERSION = "0.1.0";
let contextManagerRegistered = false;

/** Whether the OTEL_* variables turn trace export on: an OTLP endpoint is set and the SDK is not disabled. */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none") return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/**
 * Starts the OpenTelemetry SDK when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set:
 * spans batched and sent over OTLP/HTTP (JSON) to `<endpoint>/v1/traces`, resource `service.name`
 * from OTEL_SERVICE_NAME (default "ragline") plus OTEL_RESOURCE_ATTRIBUTES; sampling and the
 * exporter's headers and timeouts follow the standard OTEL_* variables. Otherwise (or with
 * OTEL_SDK_DISABLED=true) nothing starts and the tracer is the no-op one: tracing off costs nothing.
 * The AsyncLocalStorage context manager is registered once per process (it carries the current span
 * across awaits); the provider is not registered globally, so several can live in one process (tests).
 */
export function startTracing(options: TracingOptions = {}): Tracing {
  const env = options.env ?? process.env;
  if (!options.exporter && !tracingRequested(env)) return { tracer: noopTracer, shutdown: async () => {} };
  if (options.logger) reportSdkProblems(options.logger);
  if (!contextManagerRegistered) contextManagerRegistered = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const processor: SpanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(env) }));
  const resource = detectResources({ detectors: [envDetector] }).merge(
    resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME?.trim() || "ragline", [ATTR_SERVICE_VERSION]: SERVICE_VERSION }),
  );
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  return {
    tracer: createOtelTracer(provider.getTracer("ragline", SERVICE_VERSION)),
    shutdown: () => provider.shutdown(),
  };
}

/** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces` (the OTLP spec's rule). */
function tracesUrl(env: NodeJS.ProcessEnv): string {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT!.trim().replace(/\/+$/, "")}/v1/traces`;
}

/** The SDK's warnings and errors (failed exports…) as our log lines; its chatter below warn is dropped. */
function reportSdkProblems(logger: Logger): void {
  const line =
    (write: (fields: Record<string, unknown>, message: string) => void) =>
    (message: string, ...args: unknown[]) =>
      write({ component: "tracing", detail: [message, ...args.map(String)].join(" ") }, "tracing SDK reported a problem");
  const quiet = () => {};
  diag.setLogger(
    {
      error: line((fields, message) => logger.error(fields, message)),
      warn: line((fields, message) => logger.warn(fields, message)),
      info: quiet,
      debug: quiet,
      verbose: quiet,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
}
