/**
 * Tracing overhead: two real services (embedded mode) over the same SQuAD slice, one with tracing off
 * (no OTEL_* variables) and one exporting every span over OTLP/HTTP to a loopback receiver stand-in in
 * this process. The same `mode: "retrieve"` questions go to each in alternating rounds (off, on, on,
 * off…) at 1 and 8 concurrent clients; prints p50/p99 and requests/s per round and the on/off ratios.
 * Then, in this process, the cost of one no-op span (what each traced stage costs with tracing off)
 * against a plain async call.
 * Usage: npm run bench:tracing [-- --requests 300 --limit 400 --rounds 2] [-- --spans-only: the in-process span costs only]
 */
import { parseArgs } from "node:util";
import { ExportResultCode } from "@opentelemetry/core";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { createOtelTracer } from "../src/observability/otel-tracer.js";
import { startTracing } from "../src/observability/tracing.js";
import { noopTracer } from "../src/ports/tracer.js";
import { startOtlpReceiverStandIn } from "../test/helpers/otlp-receiver-stand-in.js";
import { ingestParagraphs, runPool, startBenchService, type RunningBenchService } from "./lib/bench-service.js";
import { BenchHttpClient } from "./lib/http-client.js";
import { loadSquadParagraphs } from "./lib/squad.js";
import { timedPool } from "./lib/timed-pool.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "300" },
    limit: { type: "string", default: "400" },
    rounds: { type: "string", default: "2" },
    "spans-only": { type: "boolean", default: false },
  },
});
const corpus = (await loadSquadParagraphs()).slice(0, Number(values.limit));
const questions = corpus.flatMap((paragraph) => paragraph.questions.map((qa) => qa.question));
const stride = Math.max(1, Math.floor(questions.length / Number(values.requests)));
const sample = questions.filter((_, index) => index % stride === 0).slice(0, Number(values.requests));

interface Run {
  p50: number;
  p99: number;
  perSecond: number;
}

async function measure(url: string, concurrency: number): Promise<Run> {
  const client = new BenchHttpClient(url, concurrency);
  const pass = await timedPool(sample, concurrency, async (question) => {
    const response = await client.postJson("/v1/query", { question, mode: "retrieve" });
    if (response.status !== 200) throw new Error(`query failed: ${response.status} ${response.body}`);
  });
  client.close();
  return pass;
}

/** Nanoseconds per call of `call`, awaited one after another. */
async function nanosecondsPerCall(call: () => Promise<unknown>, calls: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let index = 0; index < calls; index += 1) await call();
  return Number(process.hrtime.bigint() - started) / calls;
}

if (!values["spans-only"]) await compareServices();

const calls = 1_000_000;
const plain = await nanosecondsPerCall(async () => 1, calls);
const noop = await nanosecondsPerCall(() => noopTracer.span("retrieval.candidates", { "ragline.limit": 40 }, async () => 1), calls);
console.log(`no-op span (tracing off): ${noop.toFixed(0)} ns per traced stage against ${plain.toFixed(0)} ns for a plain async call (${calls} calls each)`);
// Tracing on, in this process: the SDK's span (context switch, attributes, ids) through the batch processor
// the service uses, to an exporter that drops it (serialising and sending are the exporter's, off the request).
const dropping: SpanExporter = { export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }), shutdown: async () => {} };
startTracing({ exporter: dropping }); // registers the AsyncLocalStorage context manager, as in the service
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropping)] });
const sdkTracer = createOtelTracer(provider.getTracer("bench"));
const recorded = await nanosecondsPerCall(() => sdkTracer.span("retrieval.candidates", { "ragline.limit": 40 }, async () => 1), calls / 10);
await provider.shutdown();
console.log(`SDK span (tracing on, batch processor, export dropped): ${recorded.toFixed(0)} ns per span (${calls / 10} calls)`);

/** The two services, alternating rounds, and the on/off ratios. */
async function compareServices(): Promise<void> {
  const receiver = await startOtlpReceiverStandIn();
  const services: Record<"off" | "on", RunningBenchService> = {
    off: await startBenchService(),
    on: await startBenchService({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }),
  };
  const runs: Record<"off" | "on", Record<number, Run[]>> = { off: { 1: [], 8: [] }, on: { 1: [], 8: [] } };
  try {
    for (const mode of ["off", "on"] as const) {
      const ingest = await ingestParagraphs(services[mode].service.url, corpus, 8);
      console.log(`tracing ${mode}: ${ingest.accepted} documents, ${ingest.chunks} chunks indexed`);
      await runPool(sample.slice(0, 50), 4, async (question) => {
        await fetch(`${services[mode].service.url}/v1/query`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ question, mode: "retrieve" }),
        });
      });
    }
    for (let round = 0; round < Number(values.rounds); round += 1) {
      const order = round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const);
      for (const mode of order) {
        for (const concurrency of [1, 8]) {
          const run = await measure(services[mode].service.url, concurrency);
          runs[mode][concurrency]!.push(run);
          console.log(
            `round ${round + 1} tracing ${mode.padEnd(3)} concurrency ${concurrency}: p50 ${run.p50.toFixed(2)} ms, p99 ${run.p99.toFixed(2)} ms, ${run.perSecond.toFixed(1)} requests/s`,
          );
        }
      }
    }
    const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)]!;
    for (const concurrency of [1, 8]) {
      const off = runs.off[concurrency]!;
      const on = runs.on[concurrency]!;
      console.log(
        `concurrency ${concurrency}: on/off p50 ${(median(on.map((run) => run.p50)) / median(off.map((run) => run.p50))).toFixed(3)}×, requests/s ${(median(on.map((run) => run.perSecond)) / median(off.map((run) => run.perSecond))).toFixed(3)}×`,
      );
    }
    console.log(`exported: ${receiver.spans().length} spans in ${receiver.received.length} OTLP requests`);
  } finally {
    await services.off.stop();
    await services.on.stop();
    await receiver.close();
  }
}
