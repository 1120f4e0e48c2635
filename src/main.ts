import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "./config/load-config.js";
import { ReloadableRetrievalSettings } from "./config/reloadable-settings.js";
import { composeEmbedded } from "./compose-embedded.js";
import { createApp } from "./http/create-app.js";
import { createLogger } from "./observability/logger.js";
import { Metrics } from "./observability/metrics.js";

/** Composition root: config → adapters → app → HTTP server and ingest workers. */
async function main(): Promise<void> {
  let source;
  try {
    source = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { config } = source;
  const logger = createLogger({ level: config.server.logLevel });
  const retrievalSettings = new ReloadableRetrievalSettings(source, { logger });
  retrievalSettings.start();

  const runtime = await composeEmbedded({ config, retrievalSettings, logger, metrics: new Metrics({ collectDefault: true }) });
  await runtime.startWorkers();
  const app = createApp(runtime.deps);
  const server = serve({ fetch: app.fetch, hostname: config.server.host, port: config.server.port }, (info) => {
    logger.info({ host: info.address, port: info.port, dataDir: config.server.dataDir, configFile: source.filePath }, "ragline listening");
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
      process.exit(0);
    });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  process.stderr.write(`ragline failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
