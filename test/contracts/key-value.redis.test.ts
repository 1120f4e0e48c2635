import type { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { RedisKeyValue } from "../../src/adapters/key-value/redis/redis-key-value.js";
import { closeRedisClient, createRedisClient, waitForRedisReady } from "../../src/adapters/redis/redis-client.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { runKeyValueContract } from "./key-value.contract.js";

describeWithRedis("Redis key-value (real Redis)", () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = createRedisClient(redisUrl);
    await waitForRedisReady(redis, 5_000);
  });
  afterAll(async () => {
    await closeRedisClient(redis);
  });

  runKeyValueContract({
    name: "Redis",
    create: async () => {
      const keyPrefix = uniqueKeyPrefix();
      return { keyValue: new RedisKeyValue({ redis, keyPrefix, timeoutMs: 2_000 }), cleanup: async () => void (await deleteKeysWithPrefix(redis, keyPrefix)) };
    },
  });
});
