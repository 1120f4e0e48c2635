import { metricValue, runPool } from "./bench-service.js";
import { BenchHttpClient } from "./http-client.js";

export interface BulkDocument {
  id: string;
  text: string;
  title: string;
}

export interface BulkIngestResult {
  accepted: number;
  failed: number;
  uploadedMs: number;
  totalMs: number;
  chunks: number;
}

/**
 * Uploads `documents` through `POST /v1/documents` as JSON bulks (`{documents: [...]}`, at most
 * `bulkSize` per request, `clients` requests at once) and waits until the workers' /metrics count
 * every accepted document as completed or failed. Chunks are read from `ragline_chunks_indexed_total`.
 */
export async function ingestInBulks(
  apiUrl: string,
  documents: readonly BulkDocument[],
  options: { bulkSize: number; clients: number; workerUrls?: string[] },
): Promise<BulkIngestResult> {
  const workerUrls = options.workerUrls ?? [apiUrl];
  const completedNow = () => metricValue(workerUrls, "ragline_ingest_jobs_total", 'outcome="completed"');
  const failedNow = () => metricValue(workerUrls, "ragline_ingest_jobs_total", 'outcome="failed"');
  const chunksNow = () => metricValue(workerUrls, "ragline_chunks_indexed_total");
  const before = { completed: await completedNow(), failed: await failedNow(), chunks: await chunksNow() };
  const bulks: BulkDocument[][] = [];
  for (let start = 0; start < documents.length; start += options.bulkSize) bulks.push(documents.slice(start, start + options.bulkSize));

  const client = new BenchHttpClient(apiUrl, options.clients);
  const started = performance.now();
  let accepted = 0;
  await runPool(bulks, options.clients, async (bulk) => {
    const response = await client.postJson("/v1/documents", { documents: bulk });
    if (response.status !== 202 && response.status !== 200) throw new Error(`bulk upload failed: ${response.status} ${response.body.slice(0, 500)}`);
    accepted += (JSON.parse(response.body) as { counts: { accepted: number } }).counts.accepted;
  });
  client.close();
  const uploadedMs = performance.now() - started;
  let completed = 0;
  let failed = 0;
  for (;;) {
    completed = (await completedNow()) - before.completed;
    failed = (await failedNow()) - before.failed;
    if (completed + failed >= accepted) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const totalMs = performance.now() - started;
  return { accepted, failed, uploadedMs, totalMs, chunks: (await chunksNow()) - before.chunks };
}
