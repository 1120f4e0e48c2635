import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeRuntime, type Runtime } from "../../src/compose/compose-runtime.js";
import type { RetrievalSettingsProvider } from "../../src/config/reloadable-settings.js";
import { configSchema, type Config } from "../../src/config/schema.js";
import { createApp } from "../../src/http/create-app.js";
import { createLogger } from "../../src/observability/logger.js";
import type { Embedder } from "../../src/ports/embedder.js";
import { LocalHashEmbedder } from "../../src/adapters/embedder/local/local-hash-embedder.js";

/** Wraps the real local embedder and counts what it is asked to embed. */
export class CountingEmbedder implements Embedder {
  readonly inner: LocalHashEmbedder;
  calls = 0;
  texts: string[] = [];

  constructor(dimension = 256) {
    this.inner = new LocalHashEmbedder({ dimension });
  }

  get modelId() {
    return this.inner.modelId;
  }
  get dimension() {
    return this.inner.dimension;
  }
  get maxInputsPerCall() {
    return this.inner.maxInputsPerCall;
  }
  get maxTokensPerCall() {
    return this.inner.maxTokensPerCall;
  }
  get supportsParallelCalls() {
    return this.inner.supportsParallelCalls;
  }

  async embed(texts: string[]) {
    this.calls += 1;
    this.texts.push(...texts);
    return this.inner.embed(texts);
  }
}

export interface TestRuntime {
  app: ReturnType<typeof createApp>;
  runtime: Runtime;
  embedder: CountingEmbedder;
  config: Config;
  dataDir: string;
  close(): Promise<void>;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** The real embedded runtime on a temp data directory, with workers running. */
export async function startTestRuntime(
  overrides: DeepPartial<Config> = {},
  options: { retrievalSettings?: RetrievalSettingsProvider; /** Reuse this directory and leave it in place on close. */ dataDir?: string } = {},
): Promise<TestRuntime> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "ragline-test-")));
  const config = configSchema.parse({ ...overrides, server: { ...overrides.server, dataDir, logLevel: "silent" } });
  const embedder = new CountingEmbedder(config.embedding.dimension);
  const retrievalSettings = options.retrievalSettings ?? { current: () => config.retrieval };
  const runtime = await composeRuntime({ config, retrievalSettings, logger: createLogger({ level: "silent" }), embedder });
  await runtime.startWorkers();
  const app = createApp(runtime.deps);
  return {
    app,
    runtime,
    embedder,
    config,
    dataDir,
    async close() {
      await runtime.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function jsonRequest(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) };
}
