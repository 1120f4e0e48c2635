import {
  context,
  defaultTextMapGetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type Tracer as OtelTracer,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { ActiveSpan, OpenSpan, SpanAttributes, SpanOptions, Tracer } from "../ports/tracer.js";

const propagator = new W3CTraceContextPropagator();
const KINDS = { internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT } as const;

/**
 * The Tracer port over an OpenTelemetry tracer (from a provider of src/observability/tracing.ts).
 * Parent and child spans follow the OTel context of the caller (the AsyncLocalStorage context
 * manager carries it across awaits); `options.parent` (an incoming `traceparent`) starts the span
 * in that trace instead — a malformed one starts a new trace.
 */
export function createOtelTracer(tracer: OtelTracer): Tracer {
  const begin = (name: string, attributes: SpanAttributes, options: SpanOptions): { span: Span; parent: Context } => {
    const parent = options.parent !== undefined ? remote(options.parent) : options.root ? ROOT_CONTEXT : context.active();
    const links = (options.links ?? []).flatMap((traceparent) => {
      const linked = trace.getSpanContext(remote(traceparent));
      return linked && isSpanContextValid(linked) ? [{ context: linked }] : [];
    });
    const span = tracer.startSpan(name, { kind: KINDS[options.kind ?? "internal"], attributes: defined(attributes), links }, parent);
    return { span, parent };
  };
  return {
    enabled: true,
    async span(name, attributes, run, options = {}) {
      const { span, parent } = begin(name, attributes, options);
      try {
        return await context.with(trace.setSpan(parent, span), () => run(activeSpan(span)));
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
    start(name, attributes, options = {}): OpenSpan {
      const { span, parent } = begin(name, attributes, options);
      const current = trace.setSpan(parent, span);
      let ended = false;
      return {
        run: (run) => context.with(current, run),
        setAttributes: (more) => span.setAttributes(defined(more)),
        end(error) {
          if (ended) return;
          ended = true;
          if (error !== undefined) fail(span, error);
          span.end();
        },
      };
    },
    current() {
      const spanContext = trace.getActiveSpan()?.spanContext();
      if (!spanContext || !isSpanContextValid(spanContext)) return null;
      return { traceId: spanContext.traceId, spanId: spanContext.spanId, traceparent: traceparentOf(spanContext) };
    },
  };
}

function activeSpan(span: Span): ActiveSpan {
  return {
    setAttributes: (attributes) => span.setAttributes(defined(attributes)),
    updateName: (name) => span.updateName(name),
    markFailed: (reason) => span.setStatus({ code: SpanStatusCode.ERROR, message: reason }),
    traceparent: traceparentOf(span.spanContext()),
    traceId: span.spanContext().traceId,
  };
}

/** A context whose span is the remote one a W3C `traceparent` names (none when malformed). */
function remote(traceparent: string): Context {
  return propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

function traceparentOf({ traceId, spanId, traceFlags }: SpanContext): string {
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, "0")}`;
}

function fail(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

function defined(attributes: SpanAttributes): Attributes {
  const kept: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) kept[key] = value;
  return kept;
}
