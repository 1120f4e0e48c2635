import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createInProcessDocumentChunker } from "../../src/adapters/document-chunker/in-process/in-process-document-chunker.js";
import { composeRuntime, type Runtime } from "../../src/compose/compose-runtime.js";
import { configSchema } from "../../src/config/schema.js";
import { createApp } from "../../src/http/create-app.js";
import { createLogger } from "../../src/observability/logger.js";
import type { Job } from "../../src/ports/job-queue.js";
import type { IngestJobData } from "../../src/use-cases/ingest-job.js";
import { ingestBatch } from "../../src/use-cases/ingest/ingest-batch.js";
import { startEmbeddingStandIn, type EmbeddingStandIn, type EmbeddingStandInOptions } from "../helpers/embedding-endpoint-stand-in.js";
import { jsonRequest } from "../helpers/test-runtime.js";
import { waitFor } from "../helpers/wait-for.js";

const TENANT = "default";

/** A paragraph of its own words, one chunk at the default chunk size. */
const paragraph = (index: number) => `Field note ${index}: the survey crew counted ${index * 7 + 3} herons and ${index + 11} egrets along reach ${index}.`;

interface Running {
  runtime: Runtime;
  app: ReturnType<typeof createApp>;
  standIn: EmbeddingStandIn;
  dataDir: string;
}

describe("ingest batches against an OpenAI-compatible endpoint (real embedded runtime; the endpoint is a local stand-in)", () => {
  let running: Running | null = null;
  afterEach(async () => {
    if (!running) return;
    await running.runtime.close();
    await running.standIn.close();
    await rm(running.dataDir, { recursive: true, force: true });
    running = null;
  });

  /** The runtime with `embedding.provider: openai` at the stand-in; workers not started yet. */
  async function start(standInOptions: EmbeddingStandInOptions, embedding: Record<string, unknown> = {}): Promise<Running> {
    const standIn = await startEmbeddingStandIn(standInOptions);
    const dataDir = await mkdtemp(join(tmpdir(), "ragline-batching-"));
    const config = configSchema.parse({
      server: { dataDir, logLevel: "silent" },
      embedding: { provider: "openai", model: "stand-in-embed", dimension: 32, ...embedding },
      openai: { baseUrl: standIn.baseUrl, apiKey: "test-key", timeoutMs: 5_000, maxAttempts: 4, breakerThreshold: 50 },
    });
    const runtime = await composeRuntime({ config, retrievalSettings: { current: () => config.retrieval }, logger: createLogger({ level: "silent" }) });
    running = { runtime, app: createApp(runtime.deps), standIn, dataDir };
    return running;
  }

  async function upload(app: Running["app"], documents: Array<{ id: string; text: string }>): Promise<void> {
    for (const document of documents) {
      const response = await app.request(`/v1/documents/${document.id}`, jsonRequest("PUT", { text: document.text }));
      expect(response.status).toBe(202);
    }
  }

  async function settledDocuments(
    app: Running["app"],
    ids: string[],
  ): Promise<Array<{ id: string; status: string; chunk_count: number; error: string | null }>> {
    return waitFor(
      async () => {
        const documents = await Promise.all(
          ids.map(
            async (id) =>
              (await (await app.request(`/v1/documents/${id}`)).json()) as { id: string; status: string; chunk_count: number; error: string | null },
          ),
        );
        return documents.every((document) => document.status === "indexed" || document.status === "failed") ? documents : null;
      },
      "every document indexed or failed",
      30_000,
    );
  }

  it("packs the chunks of many documents into shared requests within maxInputsPerCall", async () => {
    const { app, runtime, standIn } = await start({ maxInputsPerRequest: 8 }, { maxInputsPerCall: 8 });
    const documents = Array.from({ length: 40 }, (_, index) => ({ id: `note-${index}`, text: paragraph(index) }));
    await upload(app, documents);
    // Queued before the workers start: the first claim takes them all as one batch.
    await runtime.startWorkers();
    const settled = await settledDocuments(
      app,
      documents.map((document) => document.id),
    );
    expect(settled.map((document) => [document.status, document.chunk_count])).toEqual(documents.map(() => ["indexed", 1]));
    expect(standIn.requests.map((request) => [request.status, request.inputs])).toEqual(Array.from({ length: 5 }, () => [200, 8]));
    expect(await runtime.deps.store.count(TENANT)).toBe(40);
  });

  it("backs off on 429: waits the Retry-After before sending anything new, and keeps fewer requests in flight", async () => {
    const { app, runtime, standIn } = await start({ maxInputsPerRequest: 4, maxInFlight: 2, retryAfter: "0.4", baseLatencyMs: 40 }, { maxInputsPerCall: 4 });
    const documents = Array.from({ length: 48 }, (_, index) => ({ id: `note-${index}`, text: paragraph(index) }));
    await upload(app, documents);
    await runtime.startWorkers();
    const settled = await settledDocuments(
      app,
      documents.map((document) => document.id),
    );
    expect(settled.filter((document) => document.status !== "indexed")).toEqual([]);

    const refused = standIn.requests.filter((request) => request.status === 429);
    const served = standIn.requests.filter((request) => request.status === 200);
    // The first burst (4 requests in flight) meets the cap of 2: some are refused, then far fewer.
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThan(served.length);
    expect(served.reduce((total, request) => total + request.inputs, 0)).toBe(48);
    // Nothing reached the endpoint during a Retry-After (a request already on its way may arrive just after the 429).
    for (const refusal of refused) {
      const during = standIn.requests.filter((request) => request.arrivedAt > refusal.answeredAt + 50 && request.arrivedAt < refusal.answeredAt + 400);
      expect(during, `requests within the Retry-After of the 429 answered at ${Math.round(refusal.answeredAt)} ms`).toEqual([]);
    }
    // After the first refusal the client no longer fills 4 slots: the last requests all arrive alone or in pairs.
    const afterBackOff = standIn.requests.filter((request) => request.arrivedAt > refused[0]!.answeredAt + 400);
    expect(afterBackOff.length).toBeGreaterThan(0);
    expect(afterBackOff.every((request) => request.inFlightAtArrival <= 2)).toBe(true);
  });

  it("fails a document whose input the endpoint refuses, alone: the others of its batch and requests are indexed", async () => {
    const { app, runtime, standIn } = await start({ refuseInputsContaining: "POISON" });
    const documents = Array.from({ length: 12 }, (_, index) => ({ id: `note-${index}`, text: index === 5 ? `${paragraph(index)} POISON` : paragraph(index) }));
    await upload(app, documents);
    await runtime.startWorkers();
    const settled = await settledDocuments(
      app,
      documents.map((document) => document.id),
    );
    expect(settled.filter((document) => document.status !== "indexed").map((document) => [document.id, document.status, document.error])).toEqual([
      ["note-5", "failed", "the embedding endpoint rejected the request (HTTP 400)"],
    ]);
    // One shared request refused, then split until the poison was alone.
    expect(standIn.requests[0]).toMatchObject({ status: 400, inputs: 12 });
    expect(standIn.requests.filter((request) => request.status === 200).reduce((total, request) => total + request.inputs, 0)).toBe(11);
    expect(await runtime.deps.store.count(TENANT)).toBe(11);
  });

  it("a replayed batch (as after a crash before it settled) leaves one copy of each chunk", async () => {
    const { app, runtime, standIn } = await start({});
    const long = (index: number) => Array.from({ length: 30 }, (_, sentence) => `${paragraph(index)} Sentence ${sentence} adds a further remark.`).join(" ");
    const documents = Array.from({ length: 6 }, (_, index) => ({ id: `report-${index}`, text: long(index) }));
    await upload(app, documents);
    const jobs = (await Promise.all(documents.map(async (document) => (await runtime.deps.documents.get(TENANT, document.id))!.jobId))).map(
      async (jobId) => (await runtime.queue.get(jobId))!,
    );
    const claimed: Array<Job<IngestJobData>> = (await Promise.all(jobs)).map((job) => ({ ...job, attempts: job.attempts + 1 }));
    const config = configSchema.parse({});
    const deps = {
      documents: runtime.deps.documents,
      blobs: runtime.deps.blobs,
      chunker: createInProcessDocumentChunker(),
      store: runtime.deps.store,
      embeddings: runtime.deps.embeddings,
      chunking: () => config.chunking,
      maxBytesPerGroup: 1_000_000,
    };
    const context = { reportProgress: async () => {}, signal: new AbortController().signal };
    expect(await ingestBatch(deps, claimed, context)).toEqual(documents.map(() => ({ ok: true })));
    const counts = await Promise.all(documents.map(async (document) => (await runtime.deps.documents.get(TENANT, document.id))!.chunkCount));
    expect(counts.every((count) => count > 1)).toBe(true);
    const requestsAfterFirst = standIn.requests.length;

    // The same batch again, as its jobs would be claimed after a crash: the same points, no duplicates, every vector from the cache.
    const replayed = claimed.map((job) => ({ ...job, attempts: job.attempts + 1 }));
    expect(await ingestBatch(deps, replayed, context)).toEqual(documents.map(() => ({ ok: true })));
    for (const [index, document] of documents.entries()) expect(await runtime.deps.store.count(TENANT, document.id)).toBe(counts[index]);
    expect(await runtime.deps.store.count(TENANT)).toBe(counts.reduce((total, count) => total + count, 0));
    expect(standIn.requests.length).toBe(requestsAfterFirst);
    const records = await runtime.deps.documents.getMany(documents.map((document) => ({ tenant: TENANT, id: document.id })));
    expect(records.map((record) => [record?.status, record?.chunkCount])).toEqual(counts.map((count) => ["indexed", count]));
  });
});
