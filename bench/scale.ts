/**
 * Scale benchmark (issue 12): loads `--chunks` chunks of real text (SQuAD and NFCorpus paragraphs,
 * one prefix per copy; bench/lib/scale-corpus.ts) into the real service through the bulk API, then
 * sends SQuAD questions in `mode: "retrieve"` at 1 and 16 concurrent clients. In the same run, the
 * same rows bulk-loaded into raw in-process LanceDB (indexed once: bench/lib/raw-lancedb.ts) answer
 * the same questions (query embedding included), and the ratio is printed. Also: disk of the whole
 * DATA_DIR during and after ingest against the raw table, service RSS, ANN recall@50 and dense
 * nDCG@10 against exact search. Prints numbers; asserts nothing.
 *
 *   npm run bench:scale -- --chunks 100000 [--questions 800] [--bulk 500] [--clients 4] [--refine 8]
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LocalHashEmbedder } from "../src/adapters/embedder/local/local-hash-embedder.js";
import { peakMemoryMiB, runPool, startBenchService } from "./lib/bench-service.js";
import { ingestInBulks } from "./lib/bulk-ingest.js";
import { BenchHttpClient } from "./lib/http-client.js";
import { describeTable, RawLanceDbAnchor } from "./lib/raw-lancedb.js";
import { baseIdOf, buildScaleCorpus } from "./lib/scale-corpus.js";
import { timedPool, type TimedPass } from "./lib/timed-pool.js";
import { formatThreadCpu, readThreadCpu, waitUntilIdle } from "./lib/thread-cpu.js";

const { values } = parseArgs({
  options: {
    chunks: { type: "string", default: "100000" },
    questions: { type: "string", default: "800" },
    bulk: { type: "string", default: "500" },
    clients: { type: "string", default: "4" },
    refine: { type: "string", default: "8" },
  },
});
const chunkTarget = Number(values.chunks);
// The service's store.annRefineFactor; the raw anchor asks its index the same way.
const refineFactor = Number(values.refine);
const corpus = await buildScaleCorpus(chunkTarget, Number(values.questions));
console.log(`corpus: ${corpus.documents.length} documents (${corpus.copies} copies of SQuAD dev + NFCorpus), ${corpus.questions.length} SQuAD questions`);

const diskBytes = (path: string): number => Number(execFileSync("du", ["-sb", path], { encoding: "utf8" }).split("\t")[0]);
const residentMiB = async (pid: number): Promise<number> => {
  const match = (await readFile(`/proc/${pid}/status`, "utf8")).match(/VmRSS:\s+(\d+) kB/);
  return match ? Number(match[1]) / 1024 : NaN;
};
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

const timedPass = (concurrency: number, ask: (question: string) => Promise<void>) => timedPool(corpus.questions, concurrency, ({ question }) => ask(question));
const line = (name: string, pass: TimedPass) =>
  `${name} ${String(pass.concurrency).padStart(2)} clients: p50 ${pass.p50.toFixed(1)} ms, p99 ${pass.p99.toFixed(1)} ms, ${pass.perSecond.toFixed(1)} requests/s`;

// 1. The service: bulk ingest, disk sampled while it runs.
const running = await startBenchService({ RAGLINE_STORE_ANN_REFINE_FACTOR: String(refineFactor) });
const pid = running.service.child.pid!;
let peakDisk = 0;
const sampler = setInterval(() => {
  try {
    peakDisk = Math.max(peakDisk, diskBytes(running.dataDir));
  } catch {
    // a file vanished under du (compaction): the next sample counts
  }
}, 2_000);
const ingest = await ingestInBulks(running.service.url, corpus.documents, { bulkSize: Number(values.bulk), clients: Number(values.clients) });
clearInterval(sampler);
console.log(
  `ingest: ${ingest.accepted} documents, ${ingest.chunks} chunks, ${ingest.failed} failed in ${(ingest.totalMs / 1000).toFixed(0)} s (${((ingest.chunks * 1000) / ingest.totalMs).toFixed(0)} chunks/s)`,
);
// Queries are measured on the settled service: idle maintenance (the ANN index build, compaction,
// full-text index merges) runs after the last write and is waited for, as a real service gets it between bursts.
const ingestEndedAt = performance.now();
const settleMs = await waitUntilIdle(pid);
console.log(`maintenance after ingest: ${(settleMs / 1000).toFixed(0)} s until the service was idle`);
const diskAfterIngest = diskBytes(running.dataDir);
peakDisk = Math.max(peakDisk, diskAfterIngest);

const client = new BenchHttpClient(running.service.url, 16);
const serviceHits = new Map<string, string[]>();
const askService = async (question: string) => {
  const response = await client.postJson("/v1/query", { question, mode: "retrieve", top_k: 10 });
  if (response.status !== 200) throw new Error(`query failed: ${response.status} ${response.body.slice(0, 300)}`);
  serviceHits.set(
    question,
    (JSON.parse(response.body) as { retrieval: { hits: Array<{ document_id: string }> } }).retrieval.hits.map((hit) => hit.document_id),
  );
};
await runPool(corpus.questions.slice(0, 50), 4, ({ question }) => askService(question));
const service: TimedPass[] = [];
for (const concurrency of [1, 16]) {
  const cpuBefore = await readThreadCpu(pid);
  service.push(await timedPass(concurrency, askService));
  console.log(line("service", service.at(-1)!));
  console.log(`  service CPU per request: ${formatThreadCpu(cpuBefore, await readThreadCpu(pid), corpus.questions.length)}`);
}
client.close();
const serviceRss = await residentMiB(pid);
const servicePeakRss = await peakMemoryMiB(pid);
// The versions the ingest wrote are deleted once older than store.versionRetentionSeconds: wait that
// long after the ingest (and for the service to go idle) to see the disk a running service settles at.
const retentionMs = (Number(process.env.RAGLINE_STORE_VERSION_RETENTION_SECONDS ?? "120") + 10) * 1000;
await new Promise((resolve) => setTimeout(resolve, Math.max(0, ingestEndedAt + retentionMs - performance.now())));
await waitUntilIdle(pid);
const diskSettled = diskBytes(running.dataDir);
await running.service.stop();
const diskParts = execFileSync("du", ["-sb", ...readdirSync(running.dataDir).map((entry) => join(running.dataDir, entry))], { encoding: "utf8" })
  .trim()
  .split("\n")
  .map((row) => row.split("\t"))
  .map(([bytes, path]) => `${path!.slice(running.dataDir.length + 1)} ${mib(Number(bytes))}`)
  .join(", ");

// 2. The raw LanceDB anchor on the same rows, same questions, same query embedder.
const rawDir = await mkdtemp(join(tmpdir(), "ragline-raw-lancedb-"));
const loadStarted = performance.now();
const raw = await RawLanceDbAnchor.copyFrom(join(running.dataDir, "lancedb"), rawDir);
console.log(`raw LanceDB: ${await raw.countRows()} rows bulk-loaded and indexed in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s`);
console.log(`service table: ${await describeTable(join(running.dataDir, "lancedb"))}`);
console.log(`raw table: ${await describeTable(rawDir)}`);
const rawDisk = diskBytes(rawDir);
const embedder = new LocalHashEmbedder({ dimension: 512 });
const askRaw = async (question: string) => {
  const [vector] = await embedder.embed([question]);
  await raw.candidates(Float32Array.from(vector!), question, 50, refineFactor);
};
await runPool(corpus.questions.slice(0, 50), 4, ({ question }) => askRaw(question));
const rawPasses: TimedPass[] = [];
for (const concurrency of [1, 16]) {
  rawPasses.push(await timedPass(concurrency, askRaw));
  console.log(line("raw LanceDB", rawPasses.at(-1)!));
}

// 3. Quality of the ANN index against exact search (dense side), and the service's ranking.
let overlap = 0;
let ndcgAnn = 0;
let ndcgExact = 0;
let serviceReciprocalRank = 0;
const ndcgAt10 = (ranked: string[], baseId: string) => {
  const gains = ranked.slice(0, 10).map((id) => (baseIdOf(id) === baseId ? 1 : 0));
  const dcg = gains.reduce((sum: number, gain, rank) => sum + gain / Math.log2(rank + 2), 0);
  const ideal = Array.from({ length: Math.min(10, corpus.copies) }, (_, rank) => 1 / Math.log2(rank + 2)).reduce((sum, value) => sum + value, 0);
  return dcg / ideal;
};
for (const { question, baseId } of corpus.questions) {
  const [vector] = await embedder.embed([question]);
  const query = Float32Array.from(vector!);
  const ann = (await raw.candidates(query, question, 50, refineFactor)).dense;
  const exact = await raw.exactDense(query, 50);
  const exactSet = new Set(exact);
  overlap += ann.filter((id) => exactSet.has(id)).length / Math.max(1, exact.length);
  ndcgAnn += ndcgAt10(ann, baseId);
  ndcgExact += ndcgAt10(exact, baseId);
  const first = (serviceHits.get(question) ?? []).findIndex((id) => baseIdOf(id) === baseId);
  serviceReciprocalRank += first >= 0 ? 1 / (first + 1) : 0;
}
raw.close();
const count = corpus.questions.length;

console.log("");
console.log(`## bench:scale --chunks ${chunkTarget}: ${ingest.chunks} chunks`);
console.log(`| measure | service | raw LanceDB | ratio |`);
console.log(`|---|---|---|---|`);
for (const [index, pass] of service.entries()) {
  const anchor = rawPasses[index]!;
  console.log(
    `| ${pass.concurrency} client(s): p50 / p99 ms, requests/s | ${pass.p50.toFixed(1)} / ${pass.p99.toFixed(1)}, ${pass.perSecond.toFixed(1)} | ${anchor.p50.toFixed(1)} / ${anchor.p99.toFixed(1)}, ${anchor.perSecond.toFixed(1)} | ${(pass.perSecond / anchor.perSecond).toFixed(2)}× throughput |`,
  );
}
console.log(
  `| disk: peak during ingest, right after, once old versions expired | ${mib(peakDisk)}, ${mib(diskAfterIngest)}, ${mib(diskSettled)} (${(diskSettled / ingest.chunks).toFixed(0)} B/chunk) | ${mib(rawDisk)} (${(rawDisk / ingest.chunks).toFixed(0)} B/chunk) | ${(peakDisk / rawDisk).toFixed(2)}× peak, ${(diskSettled / rawDisk).toFixed(2)}× settled |`,
);
console.log(`| DATA_DIR after stop, by entry | ${diskParts} | | |`);
console.log(`| service RSS after queries, peak | ${serviceRss.toFixed(0)} MiB, ${servicePeakRss?.toFixed(0)} MiB | | |`);
console.log(`| dense ANN recall@50 vs exact (raw table, service's index settings, refine ${refineFactor}) | | ${(overlap / count).toFixed(3)} | |`);
console.log(
  `| dense nDCG@10 (any copy relevant): ANN vs exact | | ${(ndcgAnn / count).toFixed(4)} vs ${(ndcgExact / count).toFixed(4)} | Δ ${((ndcgAnn - ndcgExact) / count).toFixed(4)} |`,
);
console.log(`| service hybrid MRR@10 (any copy relevant) | ${(serviceReciprocalRank / count).toFixed(3)} | | |`);

await rm(rawDir, { recursive: true, force: true });
await rm(running.dataDir, { recursive: true, force: true });
