/**
 * Query benchmark: ingests the SQuAD v1.1 dev paragraphs into the real service (embedded mode),
 * then sends `mode: "retrieve"` queries (SQuAD questions) at 1 and 16 concurrent clients and prints
 * p50/p99 latency and requests/s for each.
 * Usage: npm run bench:query [-- --requests 800 --limit 2067 --expansion off|gated|always]
 */
import { parseArgs } from "node:util";
import { ingestParagraphs, runPool, startBenchService } from "./lib/bench-service.js";
import { BenchHttpClient } from "./lib/http-client.js";
import { timedPool } from "./lib/timed-pool.js";
import { formatThreadCpu, readThreadCpu } from "./lib/thread-cpu.js";
import { loadSquadParagraphs } from "./lib/squad.js";

const { values } = parseArgs({ options: { requests: { type: "string", default: "800" }, limit: { type: "string" }, expansion: { type: "string" } } });
const paragraphs = await loadSquadParagraphs();
const corpus = values.limit ? paragraphs.slice(0, Number(values.limit)) : paragraphs;
const questions = corpus.flatMap((paragraph) => paragraph.questions.map((qa) => qa.question));
// Deterministic spread over the whole question set.
const stride = Math.max(1, Math.floor(questions.length / Number(values.requests)));
const sample = questions.filter((_, index) => index % stride === 0).slice(0, Number(values.requests));

// `--expansion` sets retrieval.expansion.mode (RM3 query expansion), to compare its cost with `off` in the same sitting.
const running = await startBenchService(values.expansion ? { RAGLINE_RETRIEVAL_EXPANSION_MODE: values.expansion } : {});
try {
  const ingest = await ingestParagraphs(running.service.url, corpus, 16);
  console.log(`corpus: ${ingest.accepted} documents, ${ingest.chunks} chunks indexed`);
  // Warm-up: first queries pay for lazy index loading.
  await runPool(sample.slice(0, 50), 4, async (question) => {
    await fetch(`${running.service.url}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question, mode: "retrieve" }),
    });
  });
  for (const concurrency of [1, 16]) {
    const client = new BenchHttpClient(running.service.url, concurrency);
    const clientCpu = process.cpuUsage();
    const serverCpu = await readThreadCpu(running.service.child.pid!);
    const pass = await timedPool(sample, concurrency, async (question) => {
      const response = await client.postJson("/v1/query", { question, mode: "retrieve" });
      if (response.status !== 200) throw new Error(`query failed: ${response.status} ${response.body}`);
    });
    const clientCpuMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(clientCpu));
    const serverCpuText = formatThreadCpu(serverCpu, await readThreadCpu(running.service.child.pid!), sample.length);
    client.close();
    console.log(
      `concurrency ${String(concurrency).padStart(2)}: ${sample.length} requests, p50 ${pass.p50.toFixed(1)} ms, p99 ${pass.p99.toFixed(1)} ms, ${pass.perSecond.toFixed(1)} requests/s`,
    );
    console.log(`  CPU per request: service ${serverCpuText}; this client ${(clientCpuMs / sample.length).toFixed(2)} ms (same cores)`);
  }
} finally {
  await running.stop();
}
