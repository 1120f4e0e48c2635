/** Attribute values a span may carry; `undefined` entries are dropped. */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/** The span a traced function runs in: it may add attributes, rename itself or be marked failed. */
export interface ActiveSpan {
  setAttributes(attributes: SpanAttributes): void;
  updateName(name: string): void;
  /** Marks the span failed with a reason (a thrown error marks it by itself). */
  markFailed(reason: string): void;
  /** The W3C `traceparent` header value naming this span; empty when nothing is traced. */
  readonly traceparent: string;
  /** This span's trace id (32 hex digits); empty when nothing is traced. */
  readonly traceId: string;
}

/** A span started by hand (`Tracer.start`), for work that is not one function call, such as a stream. */
export interface OpenSpan {
  setAttributes(attributes: SpanAttributes): void;
  /** Ends the span; with an error, marked failed with its message. Later calls do nothing. */
  end(error?: unknown): void;
  /** Runs `run` with this span current, so the spans it opens (across awaits) are this span's children. */
  run<T>(run: () => T): T;
}

export interface SpanOptions {
  /** `server` for an incoming request, `client` for a call to another service; `internal` by default. */
  kind?: "internal" | "server" | "client";
  /** An incoming W3C `traceparent` header: the span joins that trace instead of the current one (server spans). */
  parent?: string;
  /** Starts a new trace whatever is current (work that outlives what triggered it, such as an ingest batch). */
  root?: boolean;
  /** W3C `traceparent` values of spans this one is linked to (not children of): e.g. the uploads an ingest batch serves. Malformed ones are skipped. */
  links?: readonly string[];
}

/**
 * Port for tracing (OpenTelemetry behind it in src/observability; nothing in the core or use
 * cases depends on OTel). `span(name, attributes, run)` runs `run` inside a new span, the child of
 * the span current where it is called (or of `options.parent`); spans that `run` opens are its
 * children, across awaits. The span ends when `run` settles; a rejection marks it failed with the
 * error's message and is rethrown unchanged. `start` opens a span that is not current (a stream's
 * span, ended by its consumer). `current()` names the current span, or null.
 * The no-op tracer (tracing off) runs `run` directly and records nothing.
 */
export interface Tracer {
  readonly enabled: boolean;
  span<T>(name: string, attributes: SpanAttributes, run: (span: ActiveSpan) => Promise<T> | T, options?: SpanOptions): Promise<T>;
  /** Starts a child of the current span without making it current; the caller must `end` it. */
  start(name: string, attributes: SpanAttributes, options?: SpanOptions): OpenSpan;
  /** The current span's ids and its W3C `traceparent`, or null when none. */
  current(): { traceId: string; spanId: string; traceparent: string } | null;
}

const noopSpan: ActiveSpan = { setAttributes: () => {}, updateName: () => {}, markFailed: () => {}, traceparent: "", traceId: "" };

/** Tracing off: every span is the function call itself. */
export const noopTracer: Tracer = {
  enabled: false,
  span: async (_name, _attributes, run) => run(noopSpan),
  start: () => ({ setAttributes: () => {}, end: () => {}, run: (run) => run() }),
  current: () => null,
};
