import type { LogFields, Logger } from "../ports/logger.js";
import type { Tracer } from "../ports/tracer.js";

type Level = "debug" | "info" | "warn" | "error";

/**
 * `logger` with the current span's `traceId` and `spanId` added to every line written while a span
 * is current (its children too), so a request's or an ingest batch's log lines carry their trace.
 * With tracing off the logger is returned as it is.
 */
export function withTraceIds(logger: Logger, tracer: Tracer): Logger {
  if (!tracer.enabled) return logger;
  const at =
    (level: Level) =>
    (fields: LogFields, message: string): void => {
      const ids = tracer.current();
      logger[level](ids ? { ...fields, traceId: ids.traceId, spanId: ids.spanId } : fields, message);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: (bindings) => withTraceIds(logger.child(bindings), tracer) };
}
