import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { composeRuntime, type Runtime } from "../../src/compose/compose-runtime.js";
import { MemoryKeyValue } from "../../src/adapters/key-value/memory/memory-key-value.js";
import { configSchema, type Config } from "../../src/config/schema.js";
import { createLogger } from "../../src/observability/logger.js";
import { Metrics } from "../../src/observability/metrics.js";
import { createModelLayer, type ModelLayerOptions } from "../../src/compose/create-model-layer.js";
import type { SearchHit } from "../../src/ports/vector-store.js";

/** A key that must never appear in a response or a log line. */
export const SECRET_API_KEY = "sk-stand-in-SECRET-0123456789abcdef";

/** A pino logger writing into an array, so tests can search every log line. */
export function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { logger: createLogger({ level: "trace", destination }), lines, text: () => lines.join("") };
}

type Overrides = {
  answer?: Partial<Config["answer"]>;
  openai?: Partial<Config["openai"]>;
  embedding?: Partial<Config["embedding"]>;
  retrieval?: Partial<Config["retrieval"]>;
  server?: Partial<Config["server"]>;
  auth?: Partial<Config["auth"]>;
};

export function modelConfig(baseUrl: string, overrides: Overrides = {}): Config {
  return configSchema.parse({
    ...overrides,
    answer: { provider: "openai", model: "stand-in-main", ...overrides.answer },
    embedding: { provider: "openai", model: "stand-in-embed", dimension: 64, ...overrides.embedding },
    openai: { baseUrl, apiKey: SECRET_API_KEY, timeoutMs: 400, maxAttempts: 3, breakerThreshold: 50, breakerHalfOpenAfterMs: 60_000, ...overrides.openai },
    prices: { "stand-in-main": { input: 1, output: 2, cachedInput: 0.5 } },
    server: { logLevel: "silent", ...overrides.server },
  });
}

export function buildModelLayer(baseUrl: string, overrides: Overrides = {}, options: ModelLayerOptions = {}) {
  const config = modelConfig(baseUrl, overrides);
  const metrics = new Metrics();
  const logs = capturingLogger();
  const layer = createModelLayer(
    config,
    { metrics, logger: logs.logger, keyValue: new MemoryKeyValue({ maxEntries: 1000 }) },
    { initialRetryDelayMs: 10, ...options },
  );
  return { config, metrics, logs, layer, answerer: layer.answerer! };
}

export function hit(n: number, text: string, documentId = `doc-${n}`, contentHash = `hash-${n}`): SearchHit {
  return {
    id: `chunk-${documentId}-${n}`,
    tenant: "default",
    text,
    metadata: {
      documentId,
      title: `Title ${n}`,
      source: `${documentId}.txt`,
      chunkIndex: 0,
      start: 0,
      end: text.length,
      headingPath: [],
      page: null,
      contentHash,
      embeddingModel: "stand-in",
    },
    scores: { dense: 0.8 - n * 0.01, text: null, denseRank: n, textRank: null, fused: 1 / (60 + n), relevance: 0.8 - n * 0.01 },
  };
}

export const HITS = [
  hit(1, "Mount Etna is an active stratovolcano on the east coast of Sicily. It erupts frequently."),
  hit(2, "Sourdough bread is leavened with a culture of wild yeast and lactic acid bacteria."),
  hit(3, "In chess, castling moves the king two squares towards a rook."),
];

/**
 * The service composed as `npm start` composes it, on a temporary data directory, with the model
 * config pointing at the stand-in at `baseUrl` (its embedder included) and the ingest workers started.
 * `close` stops it and removes the directory.
 */
export async function startStandInRuntime(baseUrl: string, overrides: Overrides = {}): Promise<{ runtime: Runtime; dataDir: string; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), "ragline-stand-in-runtime-"));
  const config = modelConfig(baseUrl, { retrieval: { minScore: 0.1 }, ...overrides, server: { dataDir, ...overrides.server } });
  const layer = createModelLayer(config, { metrics: new Metrics(), logger: capturingLogger().logger, keyValue: new MemoryKeyValue({ maxEntries: 100 }) });
  const runtime = await composeRuntime({
    config,
    retrievalSettings: { current: () => config.retrieval },
    logger: capturingLogger().logger,
    embedder: layer.embedder!,
  });
  await runtime.startWorkers();
  return {
    runtime,
    dataDir,
    async close() {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
