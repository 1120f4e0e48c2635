/**
 * Ingest against the peer (issue 11): the LangChain.js pipeline a user would write instead
 * (RecursiveCharacterTextSplitter → CacheBackedEmbeddings(OpenAIEmbeddings) → MemoryVectorStore, in
 * memory) and Ragline as a real service process with its defaults except `embedding.provider:
 * openai`, fed through its bulk JSON API, both against one OpenAI-compatible stand-in (200 ms + 1 ms
 * per input, ≤ 2,048 inputs per request, ≤ 8 in flight, beyond that 429 with Retry-After: 1, in a
 * child process). Corpus: `--copies` × the SQuAD v1.1 dev paragraphs, a distinct prefix per copy;
 * cold, then warm (the same texts under new ids). Also rows for embedded mode with the local embedder
 * and server mode (PostgreSQL + Redis, API + two workers, the stand-in).
 * Usage: npm run bench:ingest:peer [-- --copies 1 --rows peer,service,local,server --clients 4 --bulk 1000 --warmup 0 --profile FILE]
 * `--profile FILE` writes the V8 CPU profile of the `service` row's process to FILE; `--count-sql FILE`
 * its SQL statements with runs and time (JSON, see lib/service-probes.mjs).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CacheBackedEmbeddings } from "@langchain/classic/embeddings/cache_backed";
import { InMemoryStore } from "@langchain/classic/storage/in_memory";
import { RecursiveCharacterTextSplitter } from "@langchain/classic/text_splitter";
import { MemoryVectorStore } from "@langchain/classic/vectorstores/memory";
import { OpenAIEmbeddings } from "@langchain/openai";
import { Redis } from "ioredis";
import { startService, type ServiceProcess } from "../test/helpers/service-process.js";
import { deleteKeysWithPrefix } from "../test/helpers/redis-keys.js";
import { createTestPostgresDatabase } from "../test/helpers/test-database.js";
import { peakMemoryMiB } from "./lib/bench-service.js";
import { ingestInBulks, type BulkDocument } from "./lib/bulk-ingest.js";
import { standInFloorMs, startStandInChild, type StandInChild } from "./lib/embedding-stand-in-child.js";
import { loadSquadParagraphs } from "./lib/squad.js";
import { readThreadCpu } from "./lib/thread-cpu.js";

const { values } = parseArgs({
  options: {
    copies: { type: "string", default: "10" },
    rows: { type: "string", default: "peer,service,local,server" },
    clients: { type: "string", default: "4" },
    bulk: { type: "string", default: "1000" },
    profile: { type: "string" },
    "count-sql": { type: "string" },
    /** Documents (of another prefix) each Ragline service ingests before the measured phases, so JIT warm-up is not in the cold figure; 0 = none (the issue's setting). */
    warmup: { type: "string", default: "0" },
    phases: { type: "string", default: "cold,warm" },
  },
});
const STAND_IN = { baseMs: 200, perInputMs: 1, maxInputs: 2048, maxInFlight: 8 };
const DIMENSION = 512;
const rows = new Set(values.rows!.split(","));
const bulkOptions = { bulkSize: Number(values.bulk), clients: Number(values.clients) };

const paragraphs = await loadSquadParagraphs();
const copies = Number(values.copies);
/** The corpus of one phase: every copy's paragraphs with the copy's prefix, under ids unique to the phase. */
function corpus(phase: string): BulkDocument[] {
  return Array.from({ length: copies }, (_, copy) =>
    paragraphs.map((paragraph) => ({ id: `${phase}-${copy}-${paragraph.id}`, title: paragraph.title, text: `Copy ${copy}. ${paragraph.context}` })),
  ).flat();
}

interface PhaseFigures {
  name: string;
  chunks: number;
  ms: number;
  requests: number;
  refused: number;
  cpuMsPerChunk: number | null;
  /** e.g. "main 0.40, lancedb 0.20, other 0.10". */
  cpuByThread?: string;
  peakMiB: number | null;
}
const results: PhaseFigures[] = [];

/**
 * CPU ms of the processes: `total` from /proc/<pid>/stat (threads that ended included), and by
 * live thread group (main thread, LanceDB engine threads, other) from /proc/<pid>/task.
 */
const cpuOf = async (pids: number[]): Promise<Record<string, number>> => {
  const total: Record<string, number> = { total: 0, kernel: 0 };
  for (const pid of pids) {
    for (const [group, value] of Object.entries(await readThreadCpu(pid))) total[group] = (total[group] ?? 0) + value;
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    if (stat === null) continue;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    total.total! += (Number(fields[11]) + Number(fields[12])) * 10;
    total.kernel! += Number(fields[12]) * 10;
  }
  return total;
};

function report(figures: PhaseFigures): void {
  results.push(figures);
  const perSecond = figures.chunks / (figures.ms / 1000);
  const floor = standInFloorMs(figures.chunks, STAND_IN);
  const ceiling = figures.chunks / (floor / 1000);
  const share = figures.requests > 0 ? ` · stand-in ceiling ${ceiling.toFixed(0)} chunks/s, share ${((100 * perSecond) / ceiling).toFixed(1)}%` : "";
  console.log(
    `${figures.name.padEnd(30)} ${perSecond.toFixed(0).padStart(7)} chunks/s (${figures.chunks} chunks in ${(figures.ms / 1000).toFixed(2)} s)` +
      ` · embedding requests ${figures.requests} (+${figures.refused} refused 429; ⌈chunks/512⌉ = ${Math.ceil(figures.chunks / 512)})` +
      (figures.cpuMsPerChunk === null ? "" : ` · service CPU ${figures.cpuMsPerChunk.toFixed(3)} ms/chunk`) +
      (figures.cpuByThread ? ` (${figures.cpuByThread})` : "") +
      (figures.peakMiB === null ? "" : ` · peak RSS ${figures.peakMiB.toFixed(0)} MiB`) +
      share,
  );
}

async function requestsDuring<T>(standIn: StandInChild | null, run: () => Promise<T>): Promise<{ value: T; requests: number; refused: number }> {
  const before = standIn ? await standIn.stats() : null;
  const value = await run();
  const after = standIn ? await standIn.stats() : null;
  return { value, requests: after && before ? after.served - before.served : 0, refused: after && before ? after.refused - before.refused : 0 };
}

async function runPeer(standIn: StandInChild): Promise<void> {
  const underlying = new OpenAIEmbeddings({
    model: "text-embedding-3-small",
    dimensions: DIMENSION,
    apiKey: "bench-stand-in",
    configuration: { baseURL: standIn.baseUrl },
  });
  const embeddings = CacheBackedEmbeddings.fromBytesStore(underlying, new InMemoryStore<Uint8Array>(), { namespace: underlying.model });
  const store = new MemoryVectorStore(embeddings);
  // ~400 cl100k tokens, as Ragline's default chunk size (1 token ≈ 4 characters of English).
  const splitter = new RecursiveCharacterTextSplitter({ chunkSize: 1600, chunkOverlap: 160 });
  for (const phase of ["cold", "warm"]) {
    const documents = corpus(`peer-${phase}`);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const {
      value: chunks,
      requests,
      refused,
    } = await requestsDuring(standIn, async () => {
      const split = await splitter.createDocuments(
        documents.map((document) => document.text),
        documents.map((document) => ({ id: document.id, title: document.title })),
      );
      await store.addDocuments(split);
      return split.length;
    });
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    report({ name: `LangChain.js peer, ${phase}`, chunks, ms, requests, refused, cpuMsPerChunk: (used.user + used.system) / 1000 / chunks, peakMiB: null });
  }
}

/** Cold then warm through the bulk API; `pids` are the processes whose CPU counts as the service's. */
async function runRagline(label: string, apiUrl: string, pids: number[], standIn: StandInChild | null, workerUrls?: string[]): Promise<void> {
  const warmup = Number(values.warmup);
  if (warmup > 0) {
    const documents = paragraphs
      .slice(0, warmup)
      .map((paragraph) => ({ id: `warmup-${paragraph.id}`, title: paragraph.title, text: `Warm-up. ${paragraph.context}` }));
    await ingestInBulks(apiUrl, documents, { ...bulkOptions, workerUrls });
  }
  for (const phase of values.phases!.split(",")) {
    const documents = corpus(`${label.replace(/\W+/g, "-")}-${phase}`);
    const cpuBefore = await cpuOf(pids);
    const { value, requests, refused } = await requestsDuring(standIn, () => ingestInBulks(apiUrl, documents, { ...bulkOptions, workerUrls }));
    const cpuAfter = await cpuOf(pids);
    // Threads that ended meanwhile are in the process total only: their time counts as "other".
    const delta = (group: string) => (cpuAfter[group] ?? 0) - (cpuBefore[group] ?? 0);
    cpuAfter.other = (cpuBefore.other ?? 0) + delta("total") - delta("main") - delta("lancedb");
    const chunkCount = Math.max(1, value.chunks);
    const cpuMs = cpuAfter.total! - cpuBefore.total!;
    // "kernel": the system-call share of the total (all threads).
    const cpuByThread = ["main", "lancedb", "other", "kernel"]
      .filter((group) => cpuAfter[group] !== undefined)
      .map((group) => `${group} ${((cpuAfter[group]! - (cpuBefore[group] ?? 0)) / chunkCount).toFixed(3)}`)
      .join(", ");
    if (value.failed > 0) console.log(`  (${value.failed} documents failed)`);
    const peaks = await Promise.all(pids.map((pid) => peakMemoryMiB(pid)));
    report({
      name: `${label}, ${phase}`,
      chunks: value.chunks,
      ms: value.totalMs,
      requests,
      refused,
      cpuMsPerChunk: cpuMs / chunkCount,
      cpuByThread,
      peakMiB: Math.max(...peaks.map((peak) => peak ?? 0)),
    });
    console.log(`  uploads answered after ${(value.uploadedMs / 1000).toFixed(2)} s`);
  }
}

async function withDataDir<T>(run: (dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), "ragline-bench-peer-"));
  try {
    return await run(dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const openaiEnvironment = (standIn: StandInChild) => ({
  RAGLINE_EMBEDDING_PROVIDER: "openai",
  OPENAI_BASE_URL: standIn.baseUrl,
  OPENAI_API_KEY: "bench-stand-in",
});

async function runService(standIn: StandInChild): Promise<void> {
  await withDataDir(async (dataDir) => {
    const environment: Record<string, string> = { DATA_DIR: dataDir, ...openaiEnvironment(standIn) };
    if (values.profile || values["count-sql"]) {
      environment.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --import ${new URL("./lib/service-probes.mjs", import.meta.url).href}`.trim();
    }
    if (values.profile) environment.BENCH_CPU_PROFILE = values.profile;
    if (values["count-sql"]) environment.BENCH_SQL_COUNTS = values["count-sql"];
    const service = await startService(environment);
    try {
      await runRagline("Ragline service (embedded)", service.url, [service.child.pid!], standIn);
    } finally {
      await service.stop();
    }
  });
}

async function runLocal(): Promise<void> {
  await withDataDir(async (dataDir) => {
    const service = await startService({ DATA_DIR: dataDir });
    try {
      await runRagline("Ragline embedded, local embedder", service.url, [service.child.pid!], null);
    } finally {
      await service.stop();
    }
  });
}

async function runServer(standIn: StandInChild): Promise<void> {
  const redisUrl = process.env.RAGLINE_TEST_REDIS_URL || "redis://127.0.0.1:6379";
  const keyPrefix = `ragline-bench-peer:${randomBytes(4).toString("hex")}:`;
  const database = await createTestPostgresDatabase();
  const processes: ServiceProcess[] = [];
  try {
    await withDataDir(async (dataDir) => {
      const environment = {
        DATA_DIR: dataDir,
        REDIS_URL: redisUrl,
        DATABASE_URL: database.url,
        RAGLINE_REDIS_KEY_PREFIX: keyPrefix,
        ...openaiEnvironment(standIn),
      };
      const api = await startService({ ...environment, RAGLINE_WORKERS_IN_PROCESS: "false" });
      processes.push(api);
      for (let index = 0; index < 2; index += 1) processes.push(await startService(environment, { entry: "src/worker.ts" }));
      const workers = processes.slice(1);
      await runRagline(
        "Ragline server, 2 workers",
        api.url,
        processes.map((service) => service.child.pid!),
        standIn,
        workers.map((worker) => worker.url),
      );
      await Promise.all(processes.map((service) => service.stop()));
    });
  } finally {
    await Promise.all(processes.map((service) => service.stop()));
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
    await database.drop();
  }
}

console.log(
  `corpus: ${copies} × SQuAD v1.1 dev (${copies * paragraphs.length} documents); stand-in ${STAND_IN.baseMs} ms + ${STAND_IN.perInputMs} ms/input, ` +
    `≤ ${STAND_IN.maxInputs} inputs, ≤ ${STAND_IN.maxInFlight} in flight; Ragline via bulk JSON (${bulkOptions.bulkSize}/request, ${bulkOptions.clients} clients); load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(" ")}`,
);
const standIn = await startStandInChild({
  baseLatencyMs: STAND_IN.baseMs,
  perInputLatencyMs: STAND_IN.perInputMs,
  maxInputsPerRequest: STAND_IN.maxInputs,
  maxInFlight: STAND_IN.maxInFlight,
  retryAfter: "1",
  defaultDimension: DIMENSION,
});
try {
  if (rows.has("peer")) await runPeer(standIn);
  if (rows.has("service")) await runService(standIn);
  if (rows.has("local")) await runLocal();
  if (rows.has("server")) await runServer(standIn);
} finally {
  await standIn.stop();
}

const rate = (name: string) => {
  const row = results.find((result) => result.name === name);
  return row ? row.chunks / (row.ms / 1000) : null;
};
for (const phase of ["cold", "warm"]) {
  const peer = rate(`LangChain.js peer, ${phase}`);
  if (peer === null) continue;
  const ratios = results
    .filter((result) => result.name.endsWith(`, ${phase}`) && !result.name.startsWith("LangChain"))
    .map((result) => `${result.name.replace(`, ${phase}`, "")} ${(rate(result.name)! / peer).toFixed(2)}×`);
  if (ratios.length > 0) console.log(`ratio to the peer, ${phase}: ${ratios.join(" · ")}`);
}
console.log(
  `load average at the end ${loadavg()
    .map((value) => value.toFixed(2))
    .join(" ")}`,
);
