import type { SpanAttributes, Tracer } from "../ports/tracer.js";

/** The model operations traced, named as OpenTelemetry's GenAI conventions name them (rerank has no name there). */
export type ModelOperation = "chat" | "embeddings" | "rerank";

/** A model call's span attributes before the call: operation and model (OTel GenAI names). */
export function modelCallAttributes(operation: ModelOperation, model: string, extra: SpanAttributes = {}): SpanAttributes {
  return { "gen_ai.operation.name": operation, "gen_ai.request.model": model, ...extra };
}

/** The outcome of a model call as a span attribute: `aborted` when the caller left, else `error`. */
export function failedOutcome(signal: AbortSignal | undefined): SpanAttributes {
  return { "ragline.outcome": signal?.aborted ? "aborted" : "error" };
}

/**
 * Runs one model call in a client span named `<operation> <model>`: on success the attributes
 * `describe` reads from the result (tokens…) and `ragline.outcome: ok`; on failure the outcome
 * (`error`, or `aborted` when `signal` aborted) and the error, rethrown.
 */
export function modelSpan<T>(
  tracer: Tracer,
  call: { operation: ModelOperation; model: string; attributes?: SpanAttributes; signal?: AbortSignal },
  run: () => Promise<T>,
  describe: (result: T) => SpanAttributes,
): Promise<T> {
  return tracer.span(
    `${call.operation} ${call.model}`,
    modelCallAttributes(call.operation, call.model, call.attributes),
    async (span) => {
      try {
        const result = await run();
        span.setAttributes({ ...describe(result), "ragline.outcome": "ok" });
        return result;
      } catch (error) {
        span.setAttributes(failedOutcome(call.signal));
        throw error;
      }
    },
    { kind: "client" },
  );
}
