import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { RETIRED_KEYS, configSchema, type Config } from "./schema.js";

/** Thrown when the configuration is invalid; the message names every bad key and the reason. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export interface ConfigSource {
  /** Absolute path of the YAML file in use, or null when running on defaults and environment only. */
  filePath: string | null;
  config: Config;
}

const ENV_PREFIX = "RAGLINE_";
const ALIASES: Record<string, string> = {
  PORT: "server.port",
  HOST: "server.host",
  DATA_DIR: "server.dataDir",
  LOG_LEVEL: "server.logLevel",
  LOG_FORMAT: "server.logFormat",
  QDRANT_URL: "qdrant.url",
  QDRANT_API_KEY: "qdrant.apiKey",
  REDIS_URL: "redis.url",
  DATABASE_URL: "database.url",
  OPENAI_BASE_URL: "openai.baseUrl",
  OPENAI_API_KEY: "openai.apiKey",
};
const NON_CONFIG_VARIABLES = new Set(["RAGLINE_CONFIG"]);

/** `minScore` → `MIN_SCORE`. */
function toUpperSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** Maps every leaf key of the defaults to its `RAGLINE_<SECTION>_<KEY>` variable name. */
function environmentKeyMap(defaults: Record<string, unknown>, prefix: string[] = []): Map<string, { path: string[]; sample: unknown }> {
  const map = new Map<string, { path: string[]; sample: unknown }>();
  for (const [key, value] of Object.entries(defaults)) {
    const path = [...prefix, key];
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [name, entry] of environmentKeyMap(value as Record<string, unknown>, path)) map.set(name, entry);
    } else {
      map.set(ENV_PREFIX + path.map(toUpperSnake).join("_"), { path, sample: value });
    }
  }
  return map;
}

/** Environment values are strings; numbers, booleans, arrays and objects are parsed by the type of the default. */
function coerce(raw: string, sample: unknown, name: string): unknown {
  if (typeof sample === "number") {
    const value = Number(raw);
    return raw.trim() === "" || Number.isNaN(value) ? raw : value;
  }
  if (typeof sample === "boolean") return raw === "true" ? true : raw === "false" ? false : raw;
  if (Array.isArray(sample) || (sample !== null && typeof sample === "object")) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new ConfigError(`Invalid configuration: ${name} must be JSON`);
    }
  }
  return raw;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const child = node[segment];
    if (child === null || typeof child !== "object" || Array.isArray(child)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function getPath(source: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = source;
  for (const segment of path) node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[segment] : undefined;
  return node;
}

function readYamlFile(filePath: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(filePath, "utf8"));
  } catch (error) {
    throw new ConfigError(`Invalid configuration file ${filePath}: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new ConfigError(`Invalid configuration file ${filePath}: top level must be a mapping`);
  return parsed as Record<string, unknown>;
}

/** The YAML file named by RAGLINE_CONFIG, else ./ragline.config.yaml when it exists, else none. */
function resolveConfigPath(environment: NodeJS.ProcessEnv, cwd: string): string | null {
  const named = environment.RAGLINE_CONFIG;
  if (named) {
    const filePath = resolve(cwd, named);
    if (!existsSync(filePath)) throw new ConfigError(`Invalid configuration: RAGLINE_CONFIG points at ${filePath}, which does not exist`);
    return filePath;
  }
  const conventional = resolve(cwd, "ragline.config.yaml");
  return existsSync(conventional) ? conventional : null;
}

/**
 * Loads the configuration: defaults, then the YAML file, then environment variables
 * (`RAGLINE_<SECTION>_<KEY>`, plus PORT, HOST, DATA_DIR, LOG_LEVEL). Validated by one zod schema;
 * throws ConfigError naming each invalid key and why. Unknown RAGLINE_ variables are errors too,
 * so a typo never silently falls back to a default.
 */
export function loadConfig(options: { environment?: NodeJS.ProcessEnv; cwd?: string } = {}): ConfigSource {
  const environment = options.environment ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const filePath = resolveConfigPath(environment, cwd);
  const raw: Record<string, unknown> = filePath ? readYamlFile(filePath) : {};
  const keyMap = environmentKeyMap(configSchema.parse({}) as Record<string, unknown>);
  const origins = new Map<string, string>();

  for (const [name, value] of Object.entries(environment)) {
    // An empty variable means unset (compose files pass `${VAR:-}` through as "").
    if (value === undefined || value === "") continue;
    const aliasPath = ALIASES[name];
    if (aliasPath) {
      const entry = [...keyMap.values()].find((candidate) => candidate.path.join(".") === aliasPath);
      setPath(raw, aliasPath.split("."), coerce(value, entry?.sample, name));
      origins.set(aliasPath, name);
      continue;
    }
    if (!name.startsWith(ENV_PREFIX) || NON_CONFIG_VARIABLES.has(name)) continue;
    const entry = keyMap.get(name);
    const retired = Object.entries(RETIRED_KEYS).find(([key]) => ENV_PREFIX + key.split(".").map(toUpperSnake).join("_") === name);
    if (retired) throw new ConfigError(`Invalid configuration: ${name} (${retired[0]}) is no longer supported; use ${retired[1]} (set per endpoint)`);
    if (!entry) throw new ConfigError(`Invalid configuration: unknown environment variable ${name}`);
    setPath(raw, entry.path, coerce(value, entry.sample, name));
    origins.set(entry.path.join("."), name);
  }

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const originOf = (key: string) => origins.get(key) ?? (filePath ? filePath : "defaults");
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.map(String).join(".") || "(root)";
      // A contradiction between keys names where each of them was set.
      const related = (issue.code === "custom" ? ((issue.params?.relatedKeys as string[] | undefined) ?? []) : [])
        .filter((other) => getPath(raw, other.split(".")) !== undefined)
        .map((other) => `; ${other} from ${originOf(other)}`);
      return `${key}: ${issue.message} (from ${originOf(key)}${related.join("")})`;
    });
    throw new ConfigError(lines.length === 1 ? `Invalid configuration: ${lines[0]}` : `Invalid configuration:\n${lines.map((line) => `  ${line}`).join("\n")}`);
  }
  return { filePath, config: result.data };
}
