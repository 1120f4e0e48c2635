import { redisAvailable } from "./redis-keys.js";
import { describe, it } from "vitest";
import { testRedisUrl, uniqueTestKeyPrefix } from "./test-environment.js";

/**
 * The Redis the integration suites use: `RAGLINE_TEST_REDIS_URL`, else redis://127.0.0.1:6379 —
 * never the production `REDIS_URL`. Shared with CI and other developers: always use `uniqueKeyPrefix`
 * and delete the keys afterwards (`deleteKeysWithPrefix`).
 */
export const redisUrl = testRedisUrl;

const available = await redisAvailable(redisUrl);

/**
 * `describe` for suites that need the test Redis (`RAGLINE_TEST_REDIS_URL`): runs them when Redis
 * answers; in CI (`CI=true`) a missing Redis is a failing test; elsewhere the suite is skipped with a warning.
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
    console.warn(`Redis is not reachable at ${redisUrl}: skipping "${name}" (set RAGLINE_TEST_REDIS_URL or start Redis on 127.0.0.1:6379 to run it)`);
    describe.skip(name, suite);
  }
}

/** A key prefix no other test or run uses, e.g. `ragline-test:k3x9a1.1a2b3c4d5e6f:`. */
export function uniqueKeyPrefix(): string {
  return uniqueTestKeyPrefix();
}

export { deleteKeysWithPrefix, redisAvailable, scanKeys } from "./redis-keys.js";
