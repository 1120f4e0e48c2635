/** Structured fields of a log line. */
export type LogFields = Record<string, unknown>;

/**
 * The one logger type of every room (pino's logger satisfies it). Messages are constant strings;
 * everything variable goes in `fields`. Credentials never go in either.
 */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
  child(bindings: LogFields): Logger;
}

/** A logger that drops everything: the default where a caller passes none. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
