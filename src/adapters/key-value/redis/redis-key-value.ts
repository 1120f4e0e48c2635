import type { Redis } from "ioredis";
import { UpstreamTimeoutError, UpstreamUnavailableError } from "../../../core/errors.js";
import type { KeyValue } from "../../../ports/key-value.js";
import { type Logger } from "../../../ports/logger.js";

export interface RedisKeyValueOptions {
  /**
   * Shared ioredis client. Build it with `createRedisClient` (offline queue off, one retry per
   * command) so that calls made while Redis is unreachable fail at once instead of waiting for a
   * reconnect; `timeoutMs` bounds the rest.
   */
  redis: Redis;
  /** Prepended to every key, e.g. `ragline:`. */
  keyPrefix: string;
  /** A call gives up after this long (config `redis.cacheTimeoutMs`). */
  timeoutMs: number;
  logger?: Logger;
}

/**
 * `KeyValue` on Redis (server mode), shared by every api and worker process. Each call is one
 * round trip: `mget` one MGET, `mset` one pipeline of `SET key value [EX ttl]`.
 * A call that Redis does not answer within
 * `timeoutMs`, or that fails, rejects with an `UpstreamTimeoutError` / `UpstreamUnavailableError`
 * — callers such as `EmbeddingCache` treat that as a miss.
 */
export class RedisKeyValue implements KeyValue {
  private readonly redis: Redis;
  private readonly keyPrefix: string;
  private readonly timeoutMs: number;
  private readonly logger: Logger | undefined;

  constructor(options: RedisKeyValueOptions) {
    this.redis = options.redis;
    this.keyPrefix = options.keyPrefix;
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger;
  }

  async mget(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.withTimeout("mget", keys.length, () => this.redis.mget(keys.map((key) => this.keyPrefix + key)));
  }

  async mset(entries: Array<[key: string, value: string]>, options: { ttlSeconds?: number } = {}): Promise<void> {
    if (entries.length === 0) return;
    const ttlSeconds = positiveSeconds(options.ttlSeconds);
    await this.withTimeout("mset", entries.length, async () => {
      const pipeline = this.redis.pipeline();
      for (const [key, value] of entries) {
        if (ttlSeconds === undefined) pipeline.set(this.keyPrefix + key, value);
        else pipeline.set(this.keyPrefix + key, value, "EX", ttlSeconds);
      }
      throwFirstError(await pipeline.exec());
    });
  }

  private async withTimeout<T>(operation: string, keys: number, call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.logger?.warn({ operation, keys, timeoutMs: this.timeoutMs }, "redis call timed out");
        reject(new UpstreamTimeoutError(`Redis did not answer ${operation} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    const answered = call().catch((error: unknown) => {
      throw new UpstreamUnavailableError(`Redis ${operation} failed: ${(error as Error).message}`, { cause: error });
    });
    // The losing promise's rejection is handled here, so a late failure is never unhandled.
    answered.catch(() => undefined);
    try {
      return await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function positiveSeconds(ttlSeconds: number | undefined): number | undefined {
  return ttlSeconds !== undefined && Number.isFinite(ttlSeconds) && ttlSeconds > 0 ? Math.ceil(ttlSeconds) : undefined;
}

/** Pipelines and MULTI report per-command errors in their result instead of rejecting. */
function throwFirstError(results: Array<[error: Error | null, result: unknown]> | null): void {
  if (results === null) throw new Error("transaction aborted");
  const failed = results.find(([error]) => error !== null);
  if (failed) throw failed[0];
}
