import type { LogFields, Logger } from "../../src/ports/logger.js";

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  fields: LogFields;
  message: string;
}

/** A real Logger that keeps every line (children share the list) so tests can assert on what was logged. */
export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at =
    (level: LogLine["level"], bindings: LogFields) =>
    (fields: LogFields, message: string): void => {
      lines.push({ level, fields: { ...bindings, ...fields }, message });
    };
  const make = (bindings: LogFields): Logger & { lines: LogLine[] } => ({
    lines,
    debug: at("debug", bindings),
    info: at("info", bindings),
    warn: at("warn", bindings),
    error: at("error", bindings),
    child: (more) => make({ ...bindings, ...more }),
  });
  return make({});
}
