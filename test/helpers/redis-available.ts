import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { describe, it } from "vitest";

/** The Redis the integration suites use (shared with CI and other developers: always use `uniqueKeyPrefix`). */
export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** True when a PING to `url` is answered within a second. */
export async function redisAvailable(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const available = await redisAvailable(redisUrl);

/**
 * `describe` for suites that need Redis at `REDIS_URL`: runs them when Redis answers; in CI
 * (`CI=true`) a missing Redis is a failing test; elsewhere the suite is skipped with a warning.
 */
export function describeWithRedis(name: string, suite: () => void): void {
  if (available) {
    describe(name, suite);
  } else if (process.env.CI === "true") {
    describe(name, () => {
      it("needs Redis", () => {
        throw new Error(`Redis required in CI at ${redisUrl}`);
      });
    });
  } else {
    console.warn(`Redis is not reachable at ${redisUrl}: skipping "${name}" (set REDIS_URL or start Redis to run it)`);
    describe.skip(name, suite);
  }
}

/** A key prefix no other test run uses, e.g. `ragline-test:1a2b3c4d5e6f:`. */
export function uniqueKeyPrefix(): string {
  return `ragline-test:${randomBytes(6).toString("hex")}:`;
}

/** Deletes every key starting with `prefix` (SCAN + DEL; glob characters in the prefix are escaped). */
export async function deleteKeysWithPrefix(client: Redis, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== "0");
  return deleted;
}
