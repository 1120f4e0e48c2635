import { pino } from "pino";
import type { Logger } from "../ports/logger.js";

export type { Logger } from "../ports/logger.js";

/** JSON logger. Credentials are redacted wherever they could appear in a logged object. */
export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: {
        paths: [
          "apiKey",
          "*.apiKey",
          "authorization",
          "*.authorization",
          "headers.authorization",
          "*.headers.authorization",
          "headers['x-api-key']",
          "config.auth.apiKeys",
        ],
        censor: "[redacted]",
      },
    },
    options.destination ?? process.stdout,
  );
}
