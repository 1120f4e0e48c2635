import { Redis } from "ioredis";
import { type Logger } from "../../ports/logger.js";

export interface RedisClientOptions {
  /** Connecting gives up after this long and is retried by `retryStrategy` (default 2 000 ms). */
  connectTimeoutMs?: number;
  /**
   * Retries of one command across reconnects (default 1). BullMQ workers need `null`
   * (retry forever); request-path clients want a low number so a call fails fast.
   */
  maxRetriesPerRequest?: number | null;
  /**
   * Whether commands issued while disconnected wait for the reconnect (default false: they fail
   * at once, which is what a cache or a producer wants). BullMQ workers keep it true.
   */
  enableOfflineQueue?: boolean;
  /** Upper bound of the reconnect backoff (default 2 000 ms); reconnects never stop. */
  maxReconnectDelayMs?: number;
  /** Shown by `CLIENT LIST`, handy when many processes share one Redis. */
  connectionName?: string;
  /** Connection errors are logged here (rate-limited) instead of ioredis' console output. */
  logger?: Logger;
}

const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Builds an ioredis client for `url` (`redis://`, `rediss://`, with optional user, password and
 * database) that connects at once, reconnects forever with a capped exponential backoff and, by
 * default, fails commands instead of queueing them while Redis is unreachable. The caller owns the
 * client and closes it with `closeRedisClient`.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 2_000;
  const client = new Redis(url, {
    lazyConnect: false,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 1 : options.maxRetriesPerRequest,
    enableOfflineQueue: options.enableOfflineQueue ?? false,
    connectionName: options.connectionName,
    retryStrategy: (times) => Math.min(maxReconnectDelayMs, 50 * 2 ** Math.min(times - 1, 16)),
  });
  let lastLoggedAt = 0;
  // Without a listener ioredis prints every reconnect failure to the console.
  client.on("error", (error: Error) => {
    if (Date.now() - lastLoggedAt < ERROR_LOG_INTERVAL_MS) return;
    lastLoggedAt = Date.now();
    options.logger?.warn({ error: error.message, connectionName: options.connectionName }, "redis connection error");
  });
  return client;
}

/** QUIT (lets pending replies arrive), falling back to a hard disconnect when Redis does not answer within `timeoutMs`. */
export async function closeRedisClient(client: Redis, timeoutMs = 1_000): Promise<void> {
  if (client.status === "end") return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([
    client.quit().then(
      () => undefined,
      () => undefined,
    ),
    timedOut,
  ]);
  clearTimeout(timer);
  client.disconnect();
}

/**
 * Resolves once `client` is connected, rejects after `timeoutMs`. With the offline queue off,
 * commands sent before that fail; a process that wants Redis from its first request awaits this.
 */
export async function waitForRedisReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === "ready") return;
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onReady = resolve;
      client.once("ready", onReady);
      timer = setTimeout(() => reject(new Error(`Redis not ready within ${timeoutMs} ms`)), timeoutMs);
    });
  } finally {
    clearTimeout(timer);
    if (onReady) client.off("ready", onReady);
  }
}

/** Connection settings in a URL; a plain object, so it fits ioredis options of any copy (BullMQ bundles its own). */
export interface RedisUrlOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
}

/** `redis[s]://[user][:password]@host[:port][/db]` → ioredis options. */
export function redisOptionsFromUrl(url: string): RedisUrlOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") throw new Error(`Not a redis:// URL: ${parsed.protocol}`);
  const database = parsed.pathname.replace(/^\//, "");
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(database ? { db: Number(database) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
  };
}
