import { ConfigError, loadConfig } from "./config/load-config.js";
import { main } from "./main.js";

/** `npm run worker` only makes sense in server mode: embedded mode ingests inside `npm start`, on the one process that holds DATA_DIR. */
function refusedOutsideServerMode(): string | null {
  try {
    const { config } = loadConfig();
    if (config.database.url === null) {
      return "Refusing to start: a separate worker needs server mode, database.url (DATABASE_URL) and redis.url (REDIS_URL); without them `npm start` ingests by itself";
    }
  } catch (error) {
    // main() reports an invalid configuration itself.
    if (!(error instanceof ConfigError)) throw error;
  }
  return null;
}

const refusal = refusedOutsideServerMode();
if (refusal) {
  process.stderr.write(`${refusal}\n`);
  process.exit(1);
}
main("worker").catch((error) => {
  process.stderr.write(`ragline worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
