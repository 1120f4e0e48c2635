import { pathToFileURL } from "node:url";
import type { Server as HttpServer } from "node:http";
import { serve } from "@hono/node-server";
import { ConfigError, loadConfig, type ConfigSource } from "./config/load-config.js";
import { ReloadableRetrievalSettings } from "./config/reloadable-settings.js";
import { composeRuntime } from "./compose/compose-runtime.js";
import { DatabaseInUseError } from "./compose/open-state-database.js";
import { ConflictError } from "./core/errors.js";
import { createApp } from "./http/create-app.js";
import { limitConnections, serverOptionsFor } from "./http/connection-limits.js";
import { createLogger } from "./observability/logger.js";
import { Metrics } from "./observability/metrics.js";
import { startTracing } from "./observability/tracing.js";

/**
 * Composition root: config → adapters → app → HTTP server, plus ingest workers. `role: "worker"`
 * (`npm run worker`) runs workers only and serves just /healthz, /readyz and /metrics.
 */
export async function main(role: "api" | "worker"): Promise<void> {
  let source: ConfigSource;
  try {
    source = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message);
    throw error;
  }
  const { config } = source;
  const logger = createLogger({ level: config.server.logLevel, format: config.server.logFormat }).child({ role });
  const retrievalSettings = new ReloadableRetrievalSettings(source, { logger });
  retrievalSettings.start();

  // Spans are exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise tracing is off and costs nothing.
  const tracing = startTracing({ logger });
  const runtime = await composeRuntime({ config, retrievalSettings, logger, metrics: new Metrics({ collectDefault: true }), tracer: tracing.tracer }).catch(
    (error: unknown) => {
      if (error instanceof ConflictError || error instanceof DatabaseInUseError) exitWith(`Refusing to start: ${error.message}`);
      throw error;
    },
  );
  // Embedded mode always ingests in this process; with Redis the API may leave it to `npm run worker`.
  const runsWorkers = role === "worker" || !config.redis.url || config.workers.inProcess;
  if (runsWorkers) await runtime.startWorkers();
  const app = createApp(runtime.deps, { routes: role === "worker" ? "operations" : "all" });
  const server = serve({ fetch: app.fetch, hostname: config.server.host, port: config.server.port, serverOptions: serverOptionsFor(config.server) }, (info) => {
    logger.info(
      {
        host: info.address,
        port: info.port,
        dataDir: config.server.dataDir,
        configFile: source.filePath,
        workers: runsWorkers,
        store: runtime.deps.store.kind,
        tracing: tracing.tracer.enabled,
      },
      "ragline listening",
    );
  });

  limitConnections(server as HttpServer, config.server, logger);
  server.once("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE")
      exitWith(`Refusing to start: port ${config.server.port} on ${config.server.host} is already in use (set PORT or server.port)`);
    if (error.code === "EACCES")
      exitWith(`Refusing to start: no permission to listen on ${config.server.host}:${config.server.port} (set PORT or server.port)`);
    exitWith(`ragline failed to listen: ${error.message}`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), config.server.shutdownGraceMs + 5_000);
    force.unref();
    server.close(async () => {
      retrievalSettings.stop();
      await runtime.close();
      await tracing.shutdown().catch((error: unknown) => logger.warn({ error: (error as Error).message }, "spans not flushed at shutdown"));
      process.exit(0);
    });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

function exitWith(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main("api").catch((error) => exitWith(`ragline failed to start: ${error instanceof Error ? error.message : String(error)}`));
}
