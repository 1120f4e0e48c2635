/**
 * Ingest benchmark: the 2,067 SQuAD v1.1 dev paragraphs through the HTTP API of the real service
 * (embedded mode), then prints documents/s, chunks/s and the server's peak memory.
 * Usage: npm run bench:ingest [-- --concurrency 16 --limit 2067 --env RAGLINE_DATABASE_SQLITE_SYNCHRONOUS=normal]
 * `--profile FILE` writes the service's V8 CPU profile (.cpuprofile) to FILE; `--count-sql` prints the SQL statements the service ran per document.
 */
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ingestParagraphs, peakMemoryMiB, startBenchService } from "./lib/bench-service.js";
import { loadSquadParagraphs } from "./lib/squad.js";
import { formatThreadCpu, readThreadCpu } from "./lib/thread-cpu.js";

const { values } = parseArgs({
  options: {
    concurrency: { type: "string", default: "16" },
    limit: { type: "string" },
    env: { type: "string", multiple: true, default: [] },
    profile: { type: "string" },
    "count-sql": { type: "boolean", default: false },
  },
});
// Settings for the service under test, e.g. --env RAGLINE_DATABASE_SQLITE_SYNCHRONOUS=normal.
const environment = Object.fromEntries(values.env.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
const sqlCountsPath = join(tmpdir(), `ragline-bench-sql-${process.pid}.json`);
if (values.profile || values["count-sql"]) {
  const preload = `--import ${new URL("./lib/service-probes.mjs", import.meta.url).href}`;
  environment.NODE_OPTIONS = `${environment.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? ""} ${preload}`.trim();
}
if (values.profile) environment.BENCH_CPU_PROFILE = values.profile;
if (values["count-sql"]) environment.BENCH_SQL_COUNTS = sqlCountsPath;
const paragraphs = await loadSquadParagraphs();
const corpus = values.limit ? paragraphs.slice(0, Number(values.limit)) : paragraphs;
const running = await startBenchService(environment);
try {
  const serverCpu = await readThreadCpu(running.service.child.pid!);
  const clientCpu = process.cpuUsage();
  const result = await ingestParagraphs(running.service.url, corpus, Number(values.concurrency));
  const clientCpuMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(clientCpu));
  const serverCpuText = formatThreadCpu(serverCpu, await readThreadCpu(running.service.child.pid!), result.accepted);
  const seconds = result.totalMs / 1000;
  const peak = await peakMemoryMiB(running.service.child.pid!);
  console.log(`corpus: SQuAD v1.1 dev, ${result.accepted} documents, upload concurrency ${values.concurrency}`);
  console.log(`uploads accepted in ${(result.uploadedMs / 1000).toFixed(2)} s; all indexed in ${seconds.toFixed(2)} s`);
  console.log(`documents/s: ${(result.accepted / seconds).toFixed(1)}`);
  console.log(`chunks/s:    ${(result.chunks / seconds).toFixed(1)} (${result.chunks} chunks)`);
  console.log(`server peak memory (VmHWM): ${peak === null ? "n/a" : `${peak.toFixed(0)} MiB`}`);
  console.log(`CPU per document: service ${serverCpuText}; this client ${(clientCpuMs / result.accepted).toFixed(2)} ms (same cores)`);
} finally {
  await running.stop();
}
if (values["count-sql"]) await printSqlCounts(corpus.length);

/** The statements the service ran (tallied by lib/service-probes.mjs at its exit), per uploaded document. */
async function printSqlCounts(documents: number): Promise<void> {
  type Tally = { runs: number; ms: number };
  const { prepares, statements } = JSON.parse(await readFile(sqlCountsPath, "utf8")) as { prepares: Tally; statements: Record<string, Tally> };
  await rm(sqlCountsPath, { force: true });
  const runs = Object.values(statements).reduce((sum, tally) => sum + tally.runs, 0);
  const ms = Object.values(statements).reduce((sum, tally) => sum + tally.ms, 0);
  const perDocument = (value: number, digits = 3) => (value / documents).toFixed(digits);
  console.log(
    `SQL per document: ${perDocument(runs, 2)} statements run (${perDocument(ms)} ms), ${perDocument(prepares.runs, 2)} prepared (${perDocument(prepares.ms)} ms)`,
  );
  console.log("  runs/doc  ms/doc  statement");
  for (const [text, tally] of Object.entries(statements)) {
    if (tally.runs / documents >= 0.01) console.log(`  ${perDocument(tally.runs, 2).padStart(8)}  ${perDocument(tally.ms).padStart(6)}  ${text}`);
  }
}
