import { randomBytes } from "node:crypto";

/** The Redis tests use: `RAGLINE_TEST_REDIS_URL`, else loopback; never the production `REDIS_URL`. */
export const testRedisUrl = process.env.RAGLINE_TEST_REDIS_URL || "redis://127.0.0.1:6379";

/** The PostgreSQL tests use: `RAGLINE_TEST_DATABASE_URL`, else loopback; never the production `DATABASE_URL`. */
export const testDatabaseUrl = process.env.RAGLINE_TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

/** Variables only the live Qdrant suite may see (see `liveQdrantEnvironment`). */
export const LIVE_QDRANT_VARIABLES = ["QDRANT_URL", "QDRANT_API_KEY"] as const;

/** Set by the vitest setup file: the run's id, part of every test key prefix so the run's leftovers can be found. */
export const TEST_RUN_ID_VARIABLE = "RAGLINE_TEST_RUN_ID";

const PRODUCTION_ALIASES = new Set(["REDIS_URL", "DATABASE_URL", "PORT", "HOST", "DATA_DIR", "LOG_LEVEL"]);

/**
 * True for variables that point a process at production services or settings: REDIS_URL,
 * DATABASE_URL, OPENAI_*, QDRANT_*, OTEL_* (a trace collector), RAGLINE_* other than RAGLINE_TEST_*, and the config aliases
 * PORT, HOST, DATA_DIR and LOG_LEVEL.
 */
export function isProductionVariable(name: string): boolean {
  if (PRODUCTION_ALIASES.has(name) || name.startsWith("OPENAI_") || name.startsWith("QDRANT_") || name.startsWith("OTEL_")) return true;
  return name.startsWith("RAGLINE_") && !name.startsWith("RAGLINE_TEST_");
}

/** A copy of `environment` without production variables. */
export function withoutProductionVariables(environment: NodeJS.ProcessEnv): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (value !== undefined && !isProductionVariable(name)) clean[name] = value;
  }
  return clean;
}

/**
 * The environment for a service or helper process spawned by a test: the test process's variables
 * without production ones and without RAGLINE_TEST_* (the service refuses unknown RAGLINE_
 * variables), plus RAGLINE_CONFIG from the setup file so the project root's ragline.config.yaml is
 * never read. `overrides` (what the test sets on purpose) win.
 */
export function childProcessEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  const environment = withoutProductionVariables(process.env);
  for (const name of Object.keys(environment)) if (name.startsWith("RAGLINE_TEST_")) delete environment[name];
  const config = process.env.RAGLINE_CONFIG;
  if (config) environment.RAGLINE_CONFIG = config;
  return { ...environment, ...overrides };
}

/** A key prefix no other test or run uses, e.g. `ragline-test:k3x9a1.1a2b3c4d5e6f:`; the run id part lets the global teardown find leftovers. */
export function uniqueTestKeyPrefix(): string {
  return `${testKeyPrefixOfRun(process.env[TEST_RUN_ID_VARIABLE] || "adhoc")}${randomBytes(6).toString("hex")}:`;
}

/** The start every key prefix of the run `runId` shares. */
export function testKeyPrefixOfRun(runId: string): string {
  return `ragline-test:${runId}.`;
}
