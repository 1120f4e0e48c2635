import { z } from "zod";

const MEBIBYTE = 1024 * 1024;

const retrievalSchema = z
  .object({
    topK: z.number().int().min(1).max(100).default(5),
    candidateK: z.number().int().min(1).max(1000).default(50),
    minScore: z.number().min(-1).max(1).default(0.15),
    maxTopK: z.number().int().min(1).max(100).default(20),
    /** Lowest min_score a request may ask for; requests below it are refused with 400. */
    minScoreFloor: z.number().min(-1).max(1).default(0),
    onNoContext: z.enum(["refuse", "fallback"]).default("refuse"),
  })
  .refine((value) => value.topK <= value.maxTopK, { message: "topK must not exceed maxTopK", path: ["topK"] })
  .refine((value) => value.candidateK >= value.maxTopK, { message: "candidateK must be at least maxTopK", path: ["candidateK"] })
  .refine((value) => value.minScore >= value.minScoreFloor, { message: "minScore must not be below minScoreFloor", path: ["minScore"] });

export const configSchema = z.strictObject({
  server: z
    .object({
      host: z.string().min(1).default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(8080),
      dataDir: z.string().min(1).default("./data"),
      logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      /** Time allowed for in-flight requests and jobs on SIGTERM before the process exits. */
      shutdownGraceMs: z.number().int().min(0).default(10_000),
    })
    .prefault({}),
  auth: z
    .object({
      /** API keys and the tenant each one maps to; empty → auth off, every request is tenant `default`. */
      apiKeys: z.array(z.strictObject({ key: z.string().min(16), tenant: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })).default([]),
    })
    .prefault({}),
  upload: z
    .object({
      maxBytes: z.number().int().min(1).default(50 * MEBIBYTE),
      maxFilesPerRequest: z.number().int().min(1).max(1000).default(100),
    })
    .prefault({}),
  chunking: z
    .object({
      /** Chunk size and overlap in tokens (cl100k_base). */
      size: z.number().int().min(16).max(8192).default(400),
      overlap: z.number().int().min(0).default(40),
    })
    .refine((value) => value.overlap < value.size, { message: "overlap must be smaller than size", path: ["overlap"] })
    .prefault({}),
  embedding: z
    .object({
      provider: z.enum(["local"]).default("local"),
      dimension: z.number().int().min(8).max(8192).default(512),
      /** Entries in the in-process embedding cache (embedded mode). */
      cacheMaxEntries: z.number().int().min(0).default(100_000),
      cacheTtlSeconds: z.number().int().min(0).default(30 * 24 * 3600),
      batchSize: z.number().int().min(1).max(2048).default(128),
    })
    .prefault({}),
  store: z
    .object({
      provider: z.enum(["lancedb"]).default("lancedb"),
      tableName: z.string().regex(/^[A-Za-z0-9_]+$/).default("chunks"),
      annIndexMinRows: z.number().int().min(256).default(50_000),
    })
    .prefault({}),
  ingest: z
    .object({
      concurrency: z.number().int().min(1).max(64).default(4),
      maxAttempts: z.number().int().min(1).max(50).default(5),
    })
    .prefault({}),
  retrieval: retrievalSchema.prefault({}),
  answer: z
    .object({
      provider: z.enum(["extractive"]).default("extractive"),
      maxSentences: z.number().int().min(1).max(20).default(3),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type RetrievalSettings = Config["retrieval"];
export { retrievalSchema };
