import { randomUUID } from "node:crypto";
import { QdrantClient } from "@qdrant/js-client-rest";
import { describe } from "vitest";
import { QdrantVectorStore } from "../../src/adapters/vector-store/qdrant/qdrant-vector-store.js";
import { runVectorStoreContract } from "./vector-store.contract.js";

/**
 * The VectorStore contract against a live Qdrant — the only test that talks to a real server. Runs when
 * QDRANT_URL is set (e.g. `docker compose up qdrant`, then QDRANT_URL=http://127.0.0.1:6333), with
 * QDRANT_API_KEY when the server needs one. Every test gets its own collection, dropped afterwards.
 */
const url = process.env.QDRANT_URL;
const runId = randomUUID().slice(0, 8);
let collectionCounter = 0;

if (url) {
  runVectorStoreContract({
    name: `QdrantVectorStore (live Qdrant at ${url})`,
    create: async () => {
      const client = new QdrantClient({ url, apiKey: process.env.QDRANT_API_KEY, checkCompatibility: false, timeout: 30_000 });
      const collection = `ragline_contract_${runId}_${++collectionCounter}`;
      const open = async () =>
        new QdrantVectorStore(client, {
          collection,
          shardNumber: 1,
          replicationFactor: 1,
          writeConsistencyFactor: 1,
          shardingMethod: "auto",
          dedicatedShardTenants: [],
          upsertBatchSize: 3,
        });
      return {
        store: await open(),
        reopen: open,
        cleanup: async () => {
          await client.deleteCollection(collection);
        },
      };
    },
  });
} else {
  console.info("Skipping the live Qdrant contract: set QDRANT_URL (and QDRANT_API_KEY if needed) to run it against a real Qdrant.");
  describe.skip("VectorStore contract: QdrantVectorStore (live Qdrant; skipped because QDRANT_URL is not set)", () => {});
}
