import { z } from "zod";
import { availableParallelism } from "node:os";
import { FUSION_METHODS, resolveFusion } from "../core/ranking/fuse-lists.js";
import { MIN_RELEVANCE_DEFAULT } from "../core/ranking/rank-candidates.js";
import { redactReranker, rerankerEndpointProblem, rerankerSchema, resolveReranker } from "./reranker-schema.js";
import { EXPANSION_MODES } from "../core/ranking/expansion-gate.js";
import { API_KEY_SCOPES, DEFAULT_CONFIG_KEY_SCOPES } from "../core/api-keys.js";
import { RM3_DEFAULTS } from "../core/ranking/query-expansion.js";

const MEBIBYTE = 1024 * 1024;

/** Keys that were replaced: config files and environment variables still naming them are refused with the new key's name. */
export const RETIRED_KEYS: Readonly<Record<string, string>> = {
  "embedding.batchSize": "embedding.maxInputsPerCall",
  "embedding.maxBatchTokens": "embedding.maxTokensPerCall",
};

function retiredKey(replacement: string) {
  return z.undefined({ error: `is no longer supported; use ${replacement} (set per endpoint)` }).optional();
}

const retrievalSchema = z
  .strictObject({
    topK: z.number().int().min(1).max(100).default(5),
    candidateK: z.number().int().min(1).max(1000).default(50),
    /** Threshold on scores.relevance (calibrated, [0, 1]; see core/ranking rankCandidates). */
    minScore: z.number().min(-1).max(1).default(MIN_RELEVANCE_DEFAULT),
    maxTopK: z.number().int().min(1).max(100).default(20),
    /** Lowest min_score a request may ask for; requests below it are refused with 400. */
    minScoreFloor: z.number().min(-1).max(1).default(0),
    onNoContext: z.enum(["refuse", "fallback"]).default("refuse"),
    /** How the dense and lexical lists are fused; `weights: null` → the embedding provider's default (core/ranking FUSION_DEFAULTS). */
    fusion: z
      .strictObject({
        method: z.enum(FUSION_METHODS).nullable().default(null),
        weights: z
          .strictObject({ dense: z.number().min(0).max(1000), lexical: z.number().min(0).max(1000) })
          .refine((weights) => weights.dense + weights.lexical > 0, { message: "at least one weight must be above 0" })
          .nullable()
          .default(null),
        rrfK: z.number().min(0).max(10_000).nullable().default(null),
      })
      .prefault({}),
    /** Optional rerank stage after fusion (see reranker-schema.ts). */
    reranker: rerankerSchema,
    /** RM3 query expansion (core/ranking query-expansion, expansion-gate): a second lexical pass with feedback terms. */
    expansion: z
      .strictObject({
        /** Off by default: the gated rule, fixed before tuning, lost more than 0.005 nDCG@10 on SQuAD (eval/RESULTS.md). */
        mode: z.enum(EXPANSION_MODES).default("off"),
        feedbackDocs: z.number().int().min(1).max(1000).default(RM3_DEFAULTS.feedbackDocs),
        expansionTerms: z.number().int().min(1).max(100).default(RM3_DEFAULTS.expansionTerms),
        /** λ: the original query's share of the expanded query (0 would drop the question's own terms). */
        originalWeight: z.number().gt(0).max(1).default(RM3_DEFAULTS.originalWeight),
      })
      .prefault({}),
  })
  .refine((value) => value.topK <= value.maxTopK, { message: "topK must not exceed maxTopK", path: ["topK"] })
  .refine((value) => value.candidateK >= value.maxTopK, { message: "candidateK must be at least maxTopK", path: ["candidateK"] })
  .refine((value) => value.minScore >= value.minScoreFloor, { message: "minScore must not be below minScoreFloor", path: ["minScore"] })
  .refine((value) => value.expansion.feedbackDocs <= value.candidateK, {
    message: "expansion.feedbackDocs must not exceed candidateK (feedback comes from the lexical candidates)",
    path: ["expansion", "feedbackDocs"],
  });

export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        host: z.string().min(1).default("127.0.0.1"),
        port: z.number().int().min(0).max(65535).default(8080),
        dataDir: z.string().min(1).default("./data"),
        logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
        /** `json` (one object per line, for collectors) or `pretty` (coloured lines for a terminal). */
        logFormat: z.enum(["json", "pretty"]).default("json"),
        /** Time allowed for in-flight requests and jobs on SIGTERM before the process exits. */
        shutdownGraceMs: z.number().int().min(0).default(10_000),
        /** Time a client has to send a request's headers. */
        headersTimeoutMs: z.number().int().min(100).default(10_000),
        /** Time a client has to send a whole request, body included (50 MB at ~3.5 Mbit/s in the default). */
        requestTimeoutMs: z.number().int().min(100).default(120_000),
        keepAliveTimeoutMs: z.number().int().min(100).default(5_000),
        maxConnections: z.number().int().min(1).default(1_024),
        /** Open connections per client address; behind a proxy every client shares its address: raise it. */
        maxConnectionsPerClient: z.number().int().min(1).default(128),
      })
      .prefault({}),
    auth: z
      .strictObject({
        /** API keys and the tenant each one maps to; empty → auth off, every request is tenant `default`. */
        apiKeys: z
          .array(
            z.strictObject({
              key: z.string().min(16),
              tenant: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
              /** What the key may do; `admin` manages every tenant's keys (`/v1/keys`). Default: read, write, review. */
              scopes: z
                .array(z.enum(API_KEY_SCOPES))
                .min(1)
                .default([...DEFAULT_CONFIG_KEY_SCOPES]),
            }),
          )
          .default([]),
      })
      .prefault({}),
    metrics: z
      .strictObject({
        /** `/metrics` answers only requests with an admin key (metrics carry every tenant's labels); off for local use. */
        requireKey: z.boolean().default(false),
      })
      .prefault({}),
    limits: z
      .strictObject({
        /** Requests per minute of one API key (0: no limit). Limits apply when auth is on. */
        requestsPerMinutePerKey: z.number().int().min(0).default(600),
        /** Requests per minute of all of a tenant's keys together (0: no limit). */
        requestsPerMinutePerTenant: z.number().int().min(0).default(1_200),
        /** Upload requests of one tenant being received at once (0: no limit). */
        concurrentUploadsPerTenant: z.number().int().min(0).default(8),
        /** Model tokens (embedding, answer, rerank; input + output) per tenant per day (UTC-agnostic 24 h window); null: no budget. */
        modelTokensPerDayPerTenant: z.number().int().min(1).nullable().default(null),
        /** Per-tenant overrides of the three tenant limits. */
        tenants: z
          .record(
            z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
            z.strictObject({
              requestsPerMinute: z.number().int().min(0).optional(),
              concurrentUploads: z.number().int().min(0).optional(),
              modelTokensPerDay: z.number().int().min(1).nullable().optional(),
            }),
          )
          .default({}),
        /** Per-key overrides (by key id: `rgl_<id>_…`, or `config-<n>` for the n-th key of auth.apiKeys). */
        keys: z.record(z.string().min(1), z.strictObject({ requestsPerMinute: z.number().int().min(0) })).default({}),
      })
      .prefault({}),
    upload: z
      .strictObject({
        maxBytes: z
          .number()
          .int()
          .min(1)
          .default(50 * MEBIBYTE),
        maxFilesPerRequest: z.number().int().min(1).max(1000).default(100),
        /** Items per JSON (`documents: [...]`) or NDJSON upload; more → 413 naming the limit. */
        maxDocumentsPerRequest: z.number().int().min(1).max(100_000).default(1_000),
      })
      .prefault({}),
    chunking: z
      .strictObject({
        /** Chunk size and overlap in tokens (cl100k_base). */
        size: z.number().int().min(16).max(8192).default(400),
        overlap: z.number().int().min(0).default(40),
      })
      .refine((value) => value.overlap < value.size, { message: "overlap must be smaller than size", path: ["overlap"] })
      .prefault({}),
    embedding: z
      .strictObject({
        provider: z.enum(["local", "openai"]).default("local"),
        /** Model name at the OpenAI-compatible endpoint (provider openai). */
        model: z.string().min(1).default("text-embedding-3-small"),
        /** Vector length: the local embedder's size; for OpenAI the `dimensions` requested (must match the model). */
        dimension: z.number().int().min(8).max(8192).default(512),
        /** Entries kept by the embedding cache (embedded mode: rows of its SQLite table; the in-memory tier in front holds fewer). */
        cacheMaxEntries: z.number().int().min(0).default(100_000),
        cacheTtlSeconds: z
          .number()
          .int()
          .min(0)
          .default(30 * 24 * 3600),
        cache: z
          .strictObject({
            /** Tenants share cached vectors: cheaper, but one tenant could learn from cache hits that another holds a text. */
            shareAcrossTenants: z.boolean().default(false),
          })
          .prefault({}),
        /** Most texts in one request to the endpoint (OpenAI 2,048; TEI batches 32 by default). Chunks of many documents share requests up to it. */
        maxInputsPerCall: z.number().int().min(1).max(100_000).default(2_048),
        /** Most tokens of all texts of one request together (OpenAI 300,000); requests are packed to stay under it. */
        maxTokensPerCall: z.number().int().min(16).default(300_000),
        /** How the endpoint sends vectors: base64 (a quarter of the JSON; OpenAI, vLLM, TEI) or float for servers without it. */
        encodingFormat: z.enum(["base64", "float"]).default("base64"),
        /** Most embedding requests in flight (provider openai): the number in use starts at 4 and adapts below it, halving on 429. */
        maxConcurrentRequests: z.number().int().min(1).max(256).default(16),
        /** Longest single input the embedding model takes; longer text is refused, never cut silently. */
        maxInputTokens: z.number().int().min(16).default(8_191),
        batchSize: retiredKey("embedding.maxInputsPerCall"),
        maxBatchTokens: retiredKey("embedding.maxTokensPerCall"),
      })
      .refine((value) => value.maxInputTokens <= value.maxTokensPerCall, {
        message: "must not exceed embedding.maxTokensPerCall, or a long input could never be sent",
        path: ["maxInputTokens"],
      })
      .prefault({}),
    store: z
      .strictObject({
        /** Which vector store: `lancedb` (embedded) or `qdrant`; unset → qdrant when qdrant.url is set, else lancedb. */
        provider: z.enum(["lancedb", "qdrant"]).nullable().default(null),
        tableName: z
          .string()
          .regex(/^[A-Za-z0-9_]+$/)
          .default("chunks"),
        annIndexMinRows: z.number().int().min(256).default(50_000),
        /**
         * Once the ANN index exists (LanceDB): how many times `limit` candidates the quantised index
         * proposes before they are re-ranked on their stored vectors (exact cosine). Dense recall@50
         * against exact search at 100k chunks: 1 → 0.70, 4 → 0.91, 8 → 0.98 (bench/RESULTS.md).
         */
        annRefineFactor: z.number().int().min(1).max(64).default(8),
        /**
         * LanceDB: each optimize indexes the rows written since as one more part of the vector index,
         * and every query searches every part; past this many parts the index is rebuilt whole (off the
         * request path, but writes wait for it: minutes at a million rows).
         */
        annMaxIndexParts: z.number().int().min(1).max(1_000).default(8),
        /**
         * LanceDB: table versions older than this are deleted by each optimize. A version is read only
         * for the length of one query (store.timeoutMs), so minutes are plenty; hours of versions
         * written during a long ingest are what made the data directory many times its rows' size.
         */
        versionRetentionSeconds: z.number().int().min(30).default(120),
        /** Per-call timeout for the vector store; past it the query takes the no-retrieval fallback. */
        timeoutMs: z.number().int().min(1).default(5_000),
      })
      .prefault({}),
    qdrant: z
      .strictObject({
        /** Qdrant's address (QDRANT_URL); set without store.provider → the vector store is Qdrant. */
        url: z.string().url().nullable().default(null),
        apiKey: z.string().min(1).nullable().default(null),
        /** Collection name; one collection per embedding model. */
        collection: z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/)
          .default("ragline_chunks"),
        shardNumber: z.number().int().min(1).default(1),
        replicationFactor: z.number().int().min(1).default(1),
        writeConsistencyFactor: z.number().int().min(1).default(1),
        shardingMethod: z.enum(["auto", "custom"]).default("auto"),
        /** With shardingMethod custom: tenants routed to their own shard key; everyone else shares `default`. */
        dedicatedShardTenants: z.array(z.string().min(1)).default([]),
        upsertBatchSize: z.number().int().min(1).max(10_000).default(256),
        /** HNSW edges per node of the global graph; 0 builds none (Ragline filters every search by tenant: per-tenant graphs serve it). */
        hnswM: z.number().int().min(0).max(128).default(16),
        /** HNSW edges of the per-tenant graphs (the `is_tenant` payload index). */
        hnswPayloadM: z.number().int().min(0).max(128).default(16),
        hnswEfConstruct: z.number().int().min(4).max(4_096).default(100),
        /** Beam width of each dense search (`hnsw_ef`). */
        searchHnswEf: z.number().int().min(1).max(4_096).default(128),
        /** `int8`: scalar-quantised vectors in RAM, results rescored with the originals (scores stay exact cosines). */
        quantization: z.enum(["int8", "none"]).default("int8"),
        quantizationOversampling: z.number().min(1).max(16).default(2),
        /** Original vectors memory-mapped from disk (10M+ points: only the int8 copy must fit in RAM). */
        vectorsOnDisk: z.boolean().default(false),
        /** Chunk texts (payloads) read from disk; payload indexes stay in RAM. */
        payloadOnDisk: z.boolean().default(true),
        /** During a first bulk load: no HNSW indexing (`indexing_threshold: 0`); set false and restart afterwards to build the index once. */
        bulkLoad: z.boolean().default(false),
        /** kB of vectors per segment from which Qdrant builds the HNSW index (outside a bulk load). */
        indexingThresholdKb: z.number().int().min(1).default(20_000),
      })
      .prefault({}),
    database: z
      .strictObject({
        /** PostgreSQL (`postgres://…`, or DATABASE_URL) → records, jobs' outbox, keys and usage live there; unset → SQLite in DATA_DIR. */
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
          .nullable()
          .default(null),
        /** Embedded SQLite: `full` makes every acknowledged write survive power loss; `normal` only process crashes. */
        sqliteSynchronous: z.enum(["full", "normal"]).default("normal"),
      })
      .prefault({}),
    redis: z
      .strictObject({
        /** Set (or REDIS_URL) → embedding cache, document records and the ingest queue live in Redis. */
        url: z.string().nullable().default(null),
        keyPrefix: z.string().default("ragline:"),
        /** Cache look-ups slower than this are skipped (counted as misses). */
        cacheTimeoutMs: z.number().int().min(1).default(250),
      })
      .prefault({}),
    workers: z
      .strictObject({
        /** Whether the API process also runs ingest workers (server mode; embedded mode always does). */
        inProcess: z.boolean().default(true),
      })
      .prefault({}),
    ingest: z
      .strictObject({
        /** Ingest batches running at once in this process (each takes up to batchSize jobs). */
        concurrency: z.number().int().min(1).max(256).default(4),
        /** Most jobs one batch takes: their records, cache look-ups, vector writes and state changes are batched. */
        batchSize: z.number().int().min(1).max(10_000).default(512),
        /** Most uploaded bytes a batch parses and holds at once; a batch of larger documents is worked through in groups. */
        batchMaxBytes: z
          .number()
          .int()
          .min(1)
          .default(64 * MEBIBYTE),
        maxAttempts: z.number().int().min(1).max(50).default(5),
        /** Uploads up to this size keep their bytes in the state database (table `blobs`), larger ones one file each; 0 = every upload a file. */
        inlineBlobMaxBytes: z
          .number()
          .int()
          .min(0)
          .max(64 * MEBIBYTE)
          .default(256 * 1024),
        /** Times a job may crash the worker process (kill, out of memory, native fault) before it is failed instead of run again. */
        maxCrashes: z.number().int().min(1).max(100).default(3),
        /** Server mode (BullMQ): how long a worker's job lock lives, and how often dead workers' jobs are reclaimed. */
        lockDurationMs: z.number().int().min(500).default(30_000),
        stalledIntervalMs: z.number().int().min(500).default(30_000),
        /** Server mode: how often the outbox relay looks for jobs not yet handed to BullMQ (it also runs right after each upload). */
        relayIntervalMs: z.number().int().min(50).default(1_000),
        /** Server mode: how often documents stranded between PostgreSQL and BullMQ are repaired (records untouched for this long). */
        reconcileIntervalMs: z.number().int().min(100).default(60_000),
        /** Threads that parse and chunk documents, off the event loop; by default one fewer than the CPU cores (at least one). */
        parseThreads: z
          .number()
          .int()
          .min(1)
          .max(64)
          .default(Math.max(1, availableParallelism() - 1)),
        /** Most time one document's parse and chunking may take on its thread; then the thread is stopped and the document failed. */
        parseTimeoutMs: z.number().int().min(100).default(60_000),
        /** Heap (old generation, MB) of each parse thread; a document needing more is failed and only its thread dies. */
        parseMaxHeapMb: z.number().int().min(32).default(512),
        /** Most characters one document may extract to (a heap limit does not bound buffers); more fails it before chunking. */
        maxExtractedChars: z.number().int().min(1).default(20_000_000),
        /** Most pages of one PDF; more → the document is failed before its pages are read. */
        maxPages: z.number().int().min(1).default(5_000),
      })
      .prefault({}),
    retrieval: retrievalSchema.prefault({}),
    answer: z
      .strictObject({
        provider: z.enum(["extractive", "openai"]).default("extractive"),
        maxSentences: z.number().int().min(1).max(20).default(3),
        /** Main answer model, the cheap model for small tasks, and the model used once the main one's breaker opens. */
        model: z.string().min(1).default("gpt-4o-mini"),
        smallModel: z.string().min(1).nullable().default(null),
        fallbackModel: z.string().min(1).nullable().default(null),
        /** Prompt file prompts/answer.<promptVersion>.md. */
        promptVersion: z
          .string()
          .regex(/^v[0-9]+$/)
          .default("v1"),
        maxOutputTokens: z.number().int().min(16).default(800),
        /** Input token budget for the answer prompt; lowest-ranked context is dropped to fit. */
        inputTokenBudget: z.number().int().min(256).default(6_000),
        fallbackInputTokenBudget: z.number().int().min(64).default(1_000),
        /** json_schema response_format where the endpoint supports it, else instructions only. */
        structuredOutput: z.enum(["json_schema", "instructions"]).default("json_schema"),
        cacheTtlSeconds: z
          .number()
          .int()
          .min(0)
          .default(24 * 3600),
        /** Time for a whole answer: every generation call (repair, retry, fallback model) and the judge; past it the answer is degraded, never an error. */
        deadlineMs: z.number().int().min(100).default(20_000),
        /** The grounding judge: each answer sentence checked against the passages it cites. */
        judge: z
          .strictObject({
            /** off; local (offline: content words and numbers covered by the cited passage); model (a JSON verdict from answer.smallModel, else answer.model; needs answer.provider openai). */
            mode: z.enum(["off", "local", "model"]).default("off"),
            /** Below this score (0..1, supported share, partly counting half) the answer is retried once, then returned with review.needed. */
            minScore: z.number().min(0).max(1).default(0.6),
            /** Prompt file prompts/judge.<promptVersion>.md (model mode). */
            promptVersion: z
              .string()
              .regex(/^v[0-9]+$/)
              .default("v1"),
            /** Output tokens of one model verdict. */
            maxOutputTokens: z.number().int().min(16).default(600),
          })
          .prefault({}),
        /** Reviewed corrections shown to the model as few-shot examples (the example source reads minSimilarity and max). */
        examples: z
          .strictObject({
            enabled: z.boolean().default(true),
            /** Least cosine similarity of a stored question to the new one. */
            minSimilarity: z.number().min(-1).max(1).default(0.8),
            /** Most examples in one prompt. */
            max: z.number().int().min(0).max(20).default(3),
            /** Tokens the examples may take in the prompt; the least similar are dropped first. */
            maxTokens: z.number().int().min(0).default(600),
          })
          .prefault({}),
      })
      .refine((answer) => answer.judge.mode !== "model" || answer.provider === "openai", {
        message: "answer.judge.mode model needs answer.provider openai (the judge runs on the answer models)",
        path: ["judge", "mode"],
      })
      .prefault({}),
    openai: z
      .strictObject({
        /** OPENAI_BASE_URL / OPENAI_API_KEY also set these. Any OpenAI-compatible endpoint. */
        baseUrl: z.string().url().nullable().default(null),
        apiKey: z.string().min(1).nullable().default(null),
        timeoutMs: z.number().int().min(1).default(30_000),
        maxAttempts: z.number().int().min(1).max(10).default(3),
        /** Consecutive failures that open a breaker, and how long it stays open before a trial call. */
        breakerThreshold: z.number().int().min(1).default(5),
        breakerHalfOpenAfterMs: z.number().int().min(100).default(30_000),
      })
      .prefault({}),
    /** USD per million tokens, by model name: cost estimates in `usage` and metrics. */
    prices: z
      .record(z.string(), z.strictObject({ input: z.number().min(0), output: z.number().min(0), cachedInput: z.number().min(0).optional() }))
      .default({}),
  })
  .refine((config) => config.chunking.size <= config.embedding.maxInputTokens, {
    message: "must not exceed embedding.maxInputTokens, or chunks could not be embedded whole",
    path: ["chunking", "size"],
  })
  .superRefine((config, context) => {
    const problem = storeProviderContradiction(config.store.provider, config.qdrant.url);
    if (problem) context.addIssue({ code: "custom", message: problem, path: ["store", "provider"], params: { relatedKeys: ["qdrant.url"] } });
    const serverMode = serverModeContradiction(config.redis.url, config.database.url);
    if (serverMode) context.addIssue({ code: "custom", message: serverMode.message, path: serverMode.path });
    const reranker = rerankerEndpointProblem(config.retrieval.reranker, config.openai.baseUrl);
    if (reranker) context.addIssue({ code: "custom", message: reranker, path: ["retrieval", "reranker", "baseUrl"] });
  })
  .transform((config) => ({
    ...config,
    store: { ...config.store, provider: resolveStoreProvider(config.store.provider, config.qdrant.url) },
    retrieval: {
      ...config.retrieval,
      fusion: resolveFusion(config.retrieval.fusion, config.embedding.provider),
      reranker: resolveReranker(config.retrieval.reranker, config.openai),
    },
  }));

/** Why an explicit store.provider contradicts qdrant.url, or null when they agree. */
function storeProviderContradiction(provider: StoreProvider | null, qdrantUrl: string | null): string | null {
  if (provider === "lancedb" && qdrantUrl !== null) return "is lancedb, but qdrant.url (QDRANT_URL) is set; unset qdrant.url or set store.provider to qdrant";
  if (provider === "qdrant" && qdrantUrl === null) return "is qdrant, but qdrant.url (QDRANT_URL) is not set; set qdrant.url or unset store.provider";
  return null;
}

/**
 * Server mode needs both: records in PostgreSQL (`database.url`) and the queue in Redis (`redis.url`).
 * Redis alone would leave the records of out-of-process workers nowhere to be shared; PostgreSQL
 * alone (with the embedded queue) is not a supported combination.
 */
function serverModeContradiction(redisUrl: string | null, databaseUrl: string | null): { message: string; path: string[] } | null {
  if (redisUrl !== null && databaseUrl === null) {
    return {
      message:
        "server mode (BullMQ workers) also needs database.url (DATABASE_URL), where the document records live; set it, or unset redis.url (REDIS_URL) to run embedded",
      path: ["redis", "url"],
    };
  }
  if (databaseUrl !== null && redisUrl === null) {
    return {
      message:
        "PostgreSQL is for server mode, which also needs redis.url (REDIS_URL) for the ingest queue; set it, or unset database.url (DATABASE_URL) to run embedded on SQLite",
      path: ["database", "url"],
    };
  }
  return null;
}

/** The explicit provider, else Qdrant when its URL is set (the QDRANT_URL shortcut), else embedded LanceDB. */
function resolveStoreProvider(provider: StoreProvider | null, qdrantUrl: string | null): StoreProvider {
  return provider ?? (qdrantUrl !== null ? "qdrant" : "lancedb");
}

export type StoreProvider = "lancedb" | "qdrant";
/** Validated configuration; `store.provider` is always resolved (never null). */
export type Config = z.infer<typeof configSchema>;
export type RetrievalSettings = Config["retrieval"];
/** Retrieval settings as they may be logged (the reranker's key redacted). */
export function loggableRetrievalSettings(settings: RetrievalSettings): RetrievalSettings {
  return { ...settings, reranker: redactReranker(settings.reranker) };
}
export { retrievalSchema };
