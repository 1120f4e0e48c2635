import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterAll, describe, expect, it } from "vitest";
import { withTraceIds } from "../../../src/observability/trace-logger.js";
import { startTracing } from "../../../src/observability/tracing.js";
import { noopTracer } from "../../../src/ports/tracer.js";
import { recordingLogger } from "../../helpers/recording-logger.js";

const tracing = startTracing({ exporter: new InMemorySpanExporter() });

describe("withTraceIds", () => {
  afterAll(() => tracing.shutdown());

  it("adds the current span's trace and span ids to lines written inside a span, children loggers included, across awaits", async () => {
    const logger = recordingLogger();
    const traced = withTraceIds(logger, tracing.tracer);
    traced.info({ n: 0 }, "outside");
    const ids = await tracing.tracer.span("outer", {}, async (outer) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      traced.child({ component: "x" }).warn({ n: 1 }, "inside");
      return { traceId: outer.traceId, spanId: tracing.tracer.current()!.spanId };
    });
    expect(logger.lines).toEqual([
      { level: "info", fields: { n: 0 }, message: "outside" },
      { level: "warn", fields: { component: "x", n: 1, traceId: ids.traceId, spanId: ids.spanId }, message: "inside" },
    ]);
  });

  it("returns the logger as it is when tracing is off", () => {
    const logger = recordingLogger();
    expect(withTraceIds(logger, noopTracer)).toBe(logger);
  });
});
