import type { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { RedisDocumentRepository } from "../../src/adapters/document-repository/redis/redis-document-repository.js";
import { closeRedisClient, createRedisClient, waitForRedisReady } from "../../src/adapters/redis/redis-client.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { runDocumentRepositoryContract } from "./document-repository.contract.js";

describeWithRedis("Redis document repository (real Redis)", () => {
  // Two connections, as two processes would have.
  const clients: Redis[] = [];
  beforeAll(async () => {
    clients.push(createRedisClient(redisUrl), createRedisClient(redisUrl));
    await Promise.all(clients.map((client) => waitForRedisReady(client, 5_000)));
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => closeRedisClient(client)));
  });

  runDocumentRepositoryContract({
    name: "Redis",
    create: async () => {
      const keyPrefix = uniqueKeyPrefix();
      let opened = 0;
      return {
        open: () => new RedisDocumentRepository({ redis: clients[opened++ % clients.length]!, keyPrefix }),
        cleanup: async () => void (await deleteKeysWithPrefix(clients[0]!, keyPrefix)),
      };
    },
  });
});
