import { pino } from "pino";
import pretty from "pino-pretty";
import type { Logger } from "../ports/logger.js";

export type { Logger } from "../ports/logger.js";

/**
 * JSON logger (or `format: "pretty"`: pino-pretty's coloured lines, for a terminal). Credentials are
 * redacted wherever they could appear in a logged object.
 */
export function createLogger(options: { level: string; format?: "json" | "pretty"; destination?: NodeJS.WritableStream }): Logger {
  const destination = options.destination ?? process.stdout;
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
    options.format === "pretty"
      ? pretty({
          destination,
          colorize: (destination as { isTTY?: boolean }).isTTY === true,
          translateTime: "SYS:HH:MM:ss.l",
          ignore: "pid,hostname",
          sync: true,
        })
      : destination,
  );
}
