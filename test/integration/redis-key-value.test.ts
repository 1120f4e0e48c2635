import { createServer, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { EmbeddingCache } from "../../src/use-cases/embedding-cache.js";
import { closeRedisClient, createRedisClient, waitForRedisReady } from "../../src/adapters/redis/redis-client.js";
import { RedisKeyValue } from "../../src/adapters/key-value/redis/redis-key-value.js";
import { CountingEmbedder } from "../helpers/test-runtime.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";

/** Generous bound that only guards against hangs; timing is measured by benchmarks, not asserted here. */
const HANG_GUARD_MS = 2_000;

describeWithRedis("RedisKeyValue (real Redis)", () => {
  let redis: Redis;
  let keyPrefix: string;
  const extraClients: Redis[] = [];

  beforeAll(async () => {
    redis = createRedisClient(redisUrl);
    await waitForRedisReady(redis, 5_000);
  });

  afterEach(async () => {
    await deleteKeysWithPrefix(redis, keyPrefix);
    await Promise.all(extraClients.splice(0).map((client) => closeRedisClient(client)));
  });

  afterAll(async () => {
    await closeRedisClient(redis);
  });

  function createKeyValue(timeoutMs = 1_000): RedisKeyValue {
    keyPrefix = uniqueKeyPrefix();
    return new RedisKeyValue({ redis, keyPrefix, timeoutMs });
  }

  it("stores under its key prefix, with the TTL it was given (EXPIRE NX: a counter's window is never extended)", async () => {
    const keyValue = createKeyValue();
    await keyValue.mset([["a", "1"]]);
    await keyValue.mset([["x", "2"]], { ttlSeconds: 120 });
    expect(await redis.get(`${keyPrefix}a`)).toBe("1");
    expect(await redis.ttl(`${keyPrefix}a`)).toBe(-1);
    const ttl = await redis.ttl(`${keyPrefix}x`);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it("fails fast against a closed port, and EmbeddingCache over it still returns vectors, counting misses", async () => {
    keyPrefix = uniqueKeyPrefix();
    const port = await closedPort();
    const unreachable = createRedisClient(`redis://127.0.0.1:${port}`, { connectTimeoutMs: 200 });
    extraClients.push(unreachable);
    const keyValue = new RedisKeyValue({ redis: unreachable, keyPrefix, timeoutMs: 250 });

    const startedAt = Date.now();
    await expect(keyValue.mget(["a"])).rejects.toMatchObject({ transient: true });
    await expect(keyValue.mset([["a", "1"]], { ttlSeconds: 10 })).rejects.toMatchObject({ transient: true });
    expect(Date.now() - startedAt).toBeLessThan(HANG_GUARD_MS);

    const embedder = new CountingEmbedder(32);
    const lookups: Array<[hits: number, misses: number]> = [];
    const cache = new EmbeddingCache({
      embedder,
      keyValue,
      metrics: { onLookup: (hits, misses) => void lookups.push([hits, misses]) },
    });
    const vectors = await cache.embed(["alpha", "beta"]);
    const expected = (await embedder.inner.embed(["alpha", "beta"])).map((vector) => Array.from(new Float32Array(vector)));
    expect(vectors).toEqual(expected);
    expect(lookups).toEqual([[0, 2]]);
  });

  it("gives up after timeoutMs when Redis accepts the connection but never answers", async () => {
    keyPrefix = uniqueKeyPrefix();
    const blackHole = await startSilentServer();
    try {
      // Ready check off: the client believes it is connected, so only the timer can end the call.
      const silent = new Redis(`redis://127.0.0.1:${blackHole.port}`, { enableReadyCheck: false, maxRetriesPerRequest: 1, enableOfflineQueue: false });
      silent.on("error", () => undefined);
      extraClients.push(silent);
      await new Promise<void>((resolve) => silent.once("ready", () => resolve()));
      const keyValue = new RedisKeyValue({ redis: silent, keyPrefix, timeoutMs: 150 });
      const startedAt = Date.now();
      await expect(keyValue.mget(["a", "b"])).rejects.toMatchObject({ code: "upstream_timeout" });
      await expect(keyValue.mset([["a", "1"]], { ttlSeconds: 5 })).rejects.toMatchObject({ code: "upstream_timeout" });
      expect(Date.now() - startedAt).toBeLessThan(HANG_GUARD_MS);
      silent.disconnect();
    } finally {
      await blackHole.close();
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  // Answers the handshake ioredis sends on connect (CLIENT SETINFO), then nothing else.
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("data", (data) => {
      const handshakes = data.toString("latin1").split("SETINFO").length - 1;
      socket.write("+OK\r\n".repeat(handshakes));
    });
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
