import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startService, type ServiceProcess } from "../../test/helpers/service-process.js";
import { BenchHttpClient } from "./http-client.js";
import type { SquadParagraph } from "./squad.js";

export interface RunningBenchService {
  service: ServiceProcess;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts the real service (as `npm start` does) on a fresh temporary data directory. */
export async function startBenchService(environment: Record<string, string> = {}): Promise<RunningBenchService> {
  const dataDir = await mkdtemp(join(tmpdir(), "ragline-bench-"));
  const service = await startService({ DATA_DIR: dataDir, LOG_LEVEL: "warn", ...environment });
  return {
    service,
    dataDir,
    async stop() {
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Peak resident memory (VmHWM) of a process, in MiB, from /proc. */
export async function peakMemoryMiB(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const match = status.match(/VmHWM:\s+(\d+) kB/);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Sum over processes of one un-labelled or labelled sample from the Prometheus text at /metrics. */
export async function metricValue(baseUrls: string | string[], name: string, labels = ""): Promise<number> {
  let total = 0;
  for (const baseUrl of typeof baseUrls === "string" ? [baseUrls] : baseUrls) {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const line = text.split("\n").find((candidate) => candidate.startsWith(labels ? `${name}{${labels}}` : `${name} `));
    total += line ? Number(line.split(" ").at(-1)) : 0;
  }
  return total;
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function runPool<T>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await task(items[index] as T, index);
      }
    }),
  );
}

/**
 * Uploads every paragraph through `POST /v1/documents` (JSON) with `concurrency` clients and waits
 * until the service reports them all ingested. Returns timings and counts read from /metrics.
 */
export async function ingestParagraphs(
  baseUrl: string,
  paragraphs: SquadParagraph[],
  concurrency: number,
  options: { workerUrls?: string[]; idPrefix?: string } = {},
) {
  const workerUrls = options.workerUrls ?? [baseUrl];
  const before = {
    completed: await metricValue(workerUrls, "ragline_ingest_jobs_total", 'outcome="completed"'),
    failed: await metricValue(workerUrls, "ragline_ingest_jobs_total", 'outcome="failed"'),
    chunks: await metricValue(workerUrls, "ragline_chunks_indexed_total"),
  };
  const started = performance.now();
  let accepted = 0;
  const client = new BenchHttpClient(baseUrl, concurrency);
  await runPool(paragraphs, concurrency, async (paragraph) => {
    const response = await client.postJson("/v1/documents", {
      text: paragraph.context,
      title: paragraph.title,
      id: `${options.idPrefix ?? ""}${paragraph.id}`,
    });
    if (response.status !== 202 && response.status !== 200) throw new Error(`upload failed: ${response.status} ${response.body}`);
    accepted += 1;
  });
  client.close();
  const uploadedMs = performance.now() - started;
  for (;;) {
    const completed = (await metricValue(workerUrls, "ragline_ingest_jobs_total", 'outcome="completed"')) - before.completed;
    const failed = (await metricValue(workerUrls, "ragline_ingest_jobs_total", 'outcome="failed"')) - before.failed;
    if (completed + failed >= accepted) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const totalMs = performance.now() - started;
  const chunks = (await metricValue(workerUrls, "ragline_chunks_indexed_total")) - before.chunks;
  return { accepted, uploadedMs, totalMs, chunks };
}
