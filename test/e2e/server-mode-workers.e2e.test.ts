import { connect } from "@lancedb/lancedb";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, expect, it } from "vitest";
import type { ParsedDocument } from "../../src/ports/parser.js";
import { splitIntoChunks } from "../../src/core/text/split-into-chunks.js";
import { createTokenCounter } from "../../src/core/text/token-counter.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { startService, type ServiceProcess } from "../helpers/service-process.js";
import { waitFor } from "../helpers/wait-for.js";

const DOCUMENTS = 200;
const CHUNKING = { size: 32, overlap: 4 };

function documentText(index: number): string {
  const places = ["harbour", "orchard", "glacier", "library", "railway", "vineyard", "observatory", "lighthouse"];
  return Array.from(
    { length: 2 + (index % 4) },
    (_, part) =>
      `Log ${index}.${part}: at the ${places[(index + part) % places.length]} the crew counted ${index * 13 + part} crates before the ${part % 2 ? "storm" : "tide"} arrived.`,
  ).join("\n\n");
}

async function listAll(url: string): Promise<Array<{ id: string; status: string; chunk_count: number }>> {
  const all: Array<{ id: string; status: string; chunk_count: number }> = [];
  let cursor: string | null = null;
  do {
    const page = (await (await fetch(`${url}/v1/documents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)).json()) as {
      documents: typeof all;
      next_cursor: string | null;
    };
    all.push(...page.documents);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

describeWithRedis("server mode: one API and two worker processes on one Redis, embedded LanceDB (real processes)", () => {
  const processes: ServiceProcess[] = [];
  let dataDir: string | undefined;
  const keyPrefix = uniqueKeyPrefix();
  afterAll(async () => {
    await Promise.all(processes.map((service) => service.kill()));
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("indexes every one of 200 documents exactly once with the right chunk count although a worker is killed with SIGKILL midway", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ragline-server-mode-"));
    const environment = {
      DATA_DIR: dataDir,
      REDIS_URL: redisUrl,
      RAGLINE_REDIS_KEY_PREFIX: keyPrefix,
      RAGLINE_CHUNKING_SIZE: String(CHUNKING.size),
      RAGLINE_CHUNKING_OVERLAP: String(CHUNKING.overlap),
      RAGLINE_INGEST_CONCURRENCY: "4",
      // Short locks so the killed worker's jobs are reclaimed within seconds.
      RAGLINE_INGEST_LOCK_DURATION_MS: "2000",
      RAGLINE_INGEST_STALLED_INTERVAL_MS: "1000",
    };
    const api = await startService({ ...environment, RAGLINE_WORKERS_IN_PROCESS: "false" });
    processes.push(api);
    const doomed = await startService(environment, { entry: "src/worker.ts" });
    const survivor = await startService(environment, { entry: "src/worker.ts" });
    processes.push(doomed, survivor);

    await Promise.all(
      Array.from({ length: 8 }, async (_, lane) => {
        for (let index = lane; index < DOCUMENTS; index += 8) {
          const response = await fetch(`${api.url}/v1/documents/log-${index}`, {
            method: "PUT",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text: documentText(index) }),
          });
          expect(response.status).toBe(202);
        }
      }),
    );
    await waitFor(async () => (await listAll(api.url)).filter((document) => document.status === "indexed").length >= 20, "some documents indexed", 60_000, 100);
    await doomed.kill();
    expect((await listAll(api.url)).filter((document) => document.status === "indexed").length).toBeLessThan(DOCUMENTS);

    const final = await waitFor(
      async () => {
        const all = await listAll(api.url);
        return all.length === DOCUMENTS && all.every((document) => document.status === "indexed") ? all : null;
      },
      "all documents indexed by the surviving worker",
      120_000,
      250,
    );
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    await Promise.all([api.stop(), survivor.stop()]);

    const tokens = createTokenCounter();
    const table = await (await connect(join(dataDir, "lancedb"))).openTable("chunks");
    const rows = (await table.query().select(["id", "document_id"]).toArray()) as Array<{ id: string; document_id: string }>;
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    const perDocument = new Map<string, number>();
    for (const row of rows) perDocument.set(row.document_id, (perDocument.get(row.document_id) ?? 0) + 1);
    for (const document of final) {
      const index = Number(document.id.slice("log-".length));
      const parsed: ParsedDocument = { mediaType: "text/plain", text: documentText(index), title: null, pages: [], headings: [] };
      const expected = (await splitIntoChunks(parsed, CHUNKING, tokens)).length;
      expect(document.chunk_count).toBe(expected);
      expect(perDocument.get(document.id)).toBe(expected);
    }
    table.close();
  }, 240_000);
});
