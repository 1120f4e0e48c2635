/**
 * Upload benchmark: the same SQuAD dev paragraphs accepted by the real service (embedded mode) as
 * one JSON document per request (16 clients), as JSON bulks of upload.maxDocumentsPerRequest, and
 * as one NDJSON stream. Times the uploads until every request is answered (acceptance, not
 * indexing: the queue is drained between phases so indexing never overlaps the next phase), and
 * prints documents/s and the ratios to single uploads, all in one run on one service.
 * Usage: npx tsx bench/bulk-upload.ts [-- --limit 2000]
 */
import { request } from "node:http";
import { parseArgs } from "node:util";
import { metricValue, runPool, startBenchService } from "./lib/bench-service.js";
import { BenchHttpClient } from "./lib/http-client.js";
import { loadSquadParagraphs } from "./lib/squad.js";

const { values } = parseArgs({ options: { limit: { type: "string", default: "2000" }, bulk: { type: "string", default: "1000" } } });
const paragraphs = (await loadSquadParagraphs()).slice(0, Number(values.limit));
const bulkSize = Number(values.bulk);
const running = await startBenchService();
const url = running.service.url;
const client = new BenchHttpClient(url, 16);

/** Distinct texts per phase, so no phase meets another's duplicates. */
const texts = (phase: string) => paragraphs.map((paragraph) => ({ text: `${phase}: ${paragraph.context}`, title: paragraph.title }));

async function drained(): Promise<void> {
  for (;;) {
    const waiting = (await metricValue(url, "ragline_ingest_queue_depth")) + (await metricValue(url, "ragline_ingest_jobs_in_flight"));
    if (waiting === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function postNdjson(body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL("/v1/documents", url);
    const outgoing = request(
      { host: target.hostname, port: target.port, method: "POST", path: target.pathname, headers: { "content-type": "application/x-ndjson" } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on("error", reject);
    // Chunked, a few hundred lines at a time, as a streaming client sends it.
    const lines = body.split("\n");
    for (let start = 0; start < lines.length; start += 200) outgoing.write(`${lines.slice(start, start + 200).join("\n")}\n`);
    outgoing.end();
  });
}

async function timed(name: string, run: () => Promise<void>): Promise<number> {
  await drained();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${name.padEnd(34)} ${(paragraphs.length / seconds).toFixed(0).padStart(7)} documents/s (${seconds.toFixed(2)} s)`);
  return seconds;
}

try {
  const statuses = new Set<number>();
  const single = await timed("one JSON document per request (16)", () =>
    runPool(texts("single"), 16, async (document) => void statuses.add((await client.postJson("/v1/documents", document)).status)),
  );
  const bulk = await timed(`JSON bulks of ${bulkSize}`, async () => {
    const documents = texts("bulk");
    for (let start = 0; start < documents.length; start += bulkSize) {
      statuses.add((await client.postJson("/v1/documents", { documents: documents.slice(start, start + bulkSize) })).status);
    }
  });
  const ndjson = await timed("one NDJSON stream", async () => {
    const lines = texts("ndjson").map((document) => JSON.stringify(document));
    for (let start = 0; start < lines.length; start += bulkSize) statuses.add(await postNdjson(lines.slice(start, start + bulkSize).join("\n")));
  });
  await drained();
  console.log(`documents: ${paragraphs.length} per phase (SQuAD v1.1 dev paragraphs); response statuses seen: ${[...statuses].sort().join(", ")}`);
  console.log(`ratio to single uploads: JSON bulk ${(single / bulk).toFixed(2)}x, NDJSON ${(single / ndjson).toFixed(2)}x`);
} finally {
  client.close();
  await running.stop();
}
