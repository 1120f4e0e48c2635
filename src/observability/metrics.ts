import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { JobState } from "../ports/job-queue.js";

/** Queue counts are read at most this often, however many gauges and scrapes ask. */
const QUEUE_COUNTS_MAX_AGE_MS = 1_000;

/**
 * Prometheus metrics of one process. A registry per instance (no global registry) so tests can
 * build as many apps as they like.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: "ragline_http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["method", "route", "status"],
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: "ragline_rate_limited_total",
    help: "Requests refused with 429, by the limit they hit (key, tenant, uploads, tokens)",
    labelNames: ["limit"],
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: "ragline_http_request_duration_seconds",
    help: "HTTP request latency",
    labelNames: ["method", "route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly embedderCalls = new Counter({
    name: "ragline_embedder_calls_total",
    help: "Calls to the embedder (batches)",
    labelNames: ["model"],
    registers: [this.registry],
  });
  readonly embeddedTexts = new Counter({
    name: "ragline_embedded_texts_total",
    help: "Texts sent to the embedder",
    labelNames: ["model"],
    registers: [this.registry],
  });
  readonly embeddingCache = new Counter({
    name: "ragline_embedding_cache_total",
    help: "Embedding cache look-ups by result",
    labelNames: ["result"],
    registers: [this.registry],
  });
  readonly ingestJobs = new Counter({
    name: "ragline_ingest_jobs_total",
    help: "Ingest job attempts by outcome",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  readonly chunksIndexed = new Counter({ name: "ragline_chunks_indexed_total", help: "Chunks written to the vector store", registers: [this.registry] });
  readonly retrievals = new Counter({
    name: "ragline_retrievals_total",
    help: "Retrievals by status (ok, empty, unavailable)",
    labelNames: ["status"],
    registers: [this.registry],
  });
  readonly queryDuration = new Histogram({
    name: "ragline_query_duration_seconds",
    help: "Query latency by mode",
    labelNames: ["mode"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Model layer: every call's tokens, estimated cost, latency and errors; breaker state per dependency. */
  readonly llmTokens = new Counter({
    name: "ragline_llm_tokens_total",
    help: "Model tokens by kind (input, output, cached)",
    labelNames: ["provider", "model", "task", "kind", "prompt_version", "tenant"],
    registers: [this.registry],
  });
  readonly llmCost = new Counter({
    name: "ragline_llm_cost_usd_total",
    help: "Estimated model cost in USD (from the config price table)",
    labelNames: ["provider", "model", "task", "prompt_version", "tenant"],
    registers: [this.registry],
  });
  readonly llmDuration = new Histogram({
    name: "ragline_llm_request_duration_seconds",
    help: "Model call latency (one attempt chain, retries included)",
    labelNames: ["provider", "model", "task", "outcome", "prompt_version"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40],
    registers: [this.registry],
  });
  readonly modelErrors = new Counter({
    name: "ragline_model_errors_total",
    help: "Model and dependency errors by kind (timeout, rate_limited, server_error, connection, rejected, breaker_open, invalid_output)",
    labelNames: ["provider", "kind"],
    registers: [this.registry],
  });
  readonly dependencyRetries = new Counter({
    name: "ragline_dependency_retries_total",
    help: "Retries of transient dependency failures",
    labelNames: ["dependency"],
    registers: [this.registry],
  });
  readonly breakerState = new Gauge({
    name: "ragline_circuit_breaker_state",
    help: "Circuit breaker state per dependency: 0 closed, 1 open, 2 half-open, 3 isolated",
    labelNames: ["dependency"],
    registers: [this.registry],
  });
  readonly answers = new Counter({
    name: "ragline_answers_total",
    help: "Answers by path and outcome",
    labelNames: ["path", "outcome", "prompt_version"],
    registers: [this.registry],
  });
  readonly rerankCache = new Counter({
    name: "ragline_rerank_cache_total",
    help: "Rerank cache look-ups by result, per document",
    labelNames: ["result"],
    registers: [this.registry],
  });
  readonly answerCache = new Counter({
    name: "ragline_answer_cache_total",
    help: "Answer cache look-ups by result",
    labelNames: ["result"],
    registers: [this.registry],
  });

  /** Ingest queue, read from the queue itself at scrape time (see `observeQueue`): shared by every process in server mode. */
  readonly ingestQueueDepth: Gauge = new Gauge({
    name: "ragline_ingest_queue_depth",
    help: "Ingest jobs waiting to run (queued, including those waiting for a retry)",
    registers: [this.registry],
    collect: async (): Promise<void> => this.ingestQueueDepth.set((await this.queueCounts())?.queued ?? 0),
  });
  readonly ingestJobsInFlight: Gauge = new Gauge({
    name: "ragline_ingest_jobs_in_flight",
    help: "Ingest jobs running now (active), in every worker",
    registers: [this.registry],
    collect: async (): Promise<void> => this.ingestJobsInFlight.set((await this.queueCounts())?.active ?? 0),
  });
  readonly uploadsInFlight = new Gauge({
    name: "ragline_uploads_in_flight",
    help: "Upload requests this process is reading and storing now",
    registers: [this.registry],
  });
  readonly uploadItems = new Counter({
    name: "ragline_upload_items_total",
    help: "Uploaded items by outcome (accepted, duplicate, updated, refused)",
    labelNames: ["outcome"],
    registers: [this.registry],
  });

  private readQueueCounts: (() => Promise<Record<JobState, number>>) | null = null;
  private queueCountsRead: { at: number; counts: Promise<Record<JobState, number> | null> } | null = null;

  /** Where the queue gauges read their counts (the JobQueue's `counts`); until called they stay 0. */
  observeQueue(read: () => Promise<Record<JobState, number>>): void {
    this.readQueueCounts = read;
    this.queueCountsRead = null;
  }

  /** The queue's counts, read once per QUEUE_COUNTS_MAX_AGE_MS; null when unreadable (the gauges then show 0). */
  private queueCounts(): Promise<Record<JobState, number> | null> {
    const read = this.readQueueCounts;
    if (!read) return Promise.resolve(null);
    if (!this.queueCountsRead || Date.now() - this.queueCountsRead.at > QUEUE_COUNTS_MAX_AGE_MS) {
      this.queueCountsRead = { at: Date.now(), counts: read().catch(() => null) };
    }
    return this.queueCountsRead.counts;
  }

  constructor(options: { collectDefault?: boolean } = {}) {
    if (options.collectDefault) collectDefaultMetrics({ register: this.registry, prefix: "ragline_" });
  }
}
