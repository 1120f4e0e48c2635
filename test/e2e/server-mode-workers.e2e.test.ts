import { connect } from "@lancedb/lancedb";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { ParsedDocument } from "../../src/ports/parser.js";
import { splitIntoChunks } from "../../src/core/text/split-into-chunks.js";
import { createTokenCounter } from "../../src/core/text/token-counter.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { runServiceToExit, startService, type ServiceProcess } from "../helpers/service-process.js";
import { createTestPostgresDatabase, postgresForTests } from "../helpers/test-database.js";
import { childProcessEnvironment, testDatabaseUrl } from "../helpers/test-environment.js";
import { waitFor } from "../helpers/wait-for.js";

const DOCUMENTS = 200;
const CHUNKING = { size: 32, overlap: 4 };
const withPostgres = await postgresForTests("the server-mode end-to-end test (API + two workers on PostgreSQL and Redis)");

function documentText(index: number): string {
  const places = ["harbour", "orchard", "glacier", "library", "railway", "vineyard", "observatory", "lighthouse"];
  return Array.from(
    { length: 2 + (index % 4) },
    (_, part) =>
      `Log ${index}.${part}: at the ${places[(index + part) % places.length]} the crew counted ${index * 13 + part} crates before the ${part % 2 ? "storm" : "tide"} arrived.`,
  ).join("\n\n");
}

async function countIndexed(url: string): Promise<number> {
  let indexed = 0;
  let cursor: string | null = null;
  do {
    const page = (await (await fetch(`${url}/v1/documents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)).json()) as {
      documents: Array<{ status: string }>;
      next_cursor: string | null;
    };
    indexed += page.documents.filter((document) => document.status === "indexed").length;
    cursor = page.next_cursor;
  } while (cursor);
  return indexed;
}

describe("server mode start-up rules", () => {
  it("refuses redis.url without database.url, and database.url without redis.url, with one line naming both keys", async () => {
    const alone: Array<Record<string, string>> = [{ REDIS_URL: redisUrl }, { DATABASE_URL: testDatabaseUrl }];
    for (const environment of alone) {
      const { code, output } = await runServiceToExit({ ...environment, DATA_DIR: join(tmpdir(), "ragline-never-created") });
      expect(code).toBe(1);
      expect(output.trim().split("\n")).toHaveLength(1);
      expect(output).toMatch(/database\.url \(DATABASE_URL\)/);
      expect(output).toMatch(/redis\.url \(REDIS_URL\)/);
    }
  }, 30_000);

  it("refuses `npm run worker` outside server mode with one line", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/worker.ts"], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env: childProcessEnvironment({ DATA_DIR: join(tmpdir(), "ragline-never-created") }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += String(chunk)));
    child.stderr?.on("data", (chunk) => (output += String(chunk)));
    expect(await new Promise((resolve) => child.once("exit", resolve))).toBe(1);
    expect(output.trim().split("\n")).toHaveLength(1);
    expect(output).toMatch(/worker needs server mode, database\.url \(DATABASE_URL\) and redis\.url \(REDIS_URL\)/);
  }, 30_000);
});

describeWithRedis("server mode: one API and two worker processes on PostgreSQL and Redis, embedded LanceDB (real processes)", () => {
  const processes: ServiceProcess[] = [];
  const keyPrefix = uniqueKeyPrefix();
  let dataDir: string | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;
  afterAll(async () => {
    await Promise.all(processes.map((service) => service.kill()));
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it.runIf(withPostgres)(
    "indexes every one of 200 documents exactly once with the right chunk count although a worker is killed with SIGKILL midway",
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), "ragline-server-mode-"));
      database = await createTestPostgresDatabase();
      const environment = {
        DATA_DIR: dataDir,
        REDIS_URL: redisUrl,
        DATABASE_URL: database.url,
        RAGLINE_REDIS_KEY_PREFIX: keyPrefix,
        RAGLINE_CHUNKING_SIZE: String(CHUNKING.size),
        RAGLINE_CHUNKING_OVERLAP: String(CHUNKING.overlap),
        RAGLINE_INGEST_CONCURRENCY: "4",
        // Short locks so the killed worker's jobs are reclaimed within seconds; a short reconcile period so it runs during the test.
        RAGLINE_INGEST_LOCK_DURATION_MS: "2000",
        RAGLINE_INGEST_STALLED_INTERVAL_MS: "1000",
        RAGLINE_INGEST_RECONCILE_INTERVAL_MS: "2000",
      };
      const api = await startService({ ...environment, RAGLINE_WORKERS_IN_PROCESS: "false" });
      processes.push(api);
      const [doomed, survivor] = await Promise.all([
        startService(environment, { entry: "src/worker.ts" }),
        startService(environment, { entry: "src/worker.ts" }),
      ]);
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
      await waitFor(async () => (await countIndexed(api.url)) >= 20, "some documents indexed", 60_000, 100);
      await doomed.kill();
      expect(await countIndexed(api.url)).toBeLessThan(DOCUMENTS);

      await waitFor(async () => (await countIndexed(api.url)) === DOCUMENTS, "all documents indexed by the surviving worker", 120_000, 250);
      const readiness = await fetch(`${api.url}/readyz`);
      expect(readiness.status).toBe(200);
      expect(await readiness.json()).toMatchObject({ dependencies: { database: { status: "up" }, redis: { status: "up" } } });
      await Promise.all([api.stop(), survivor.stop()]);

      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const records = (await client.query<{ id: string; status: string; chunk_count: number }>("select id, status, chunk_count from documents")).rows;
      const unrelayed = (await client.query<{ count: string }>("select count(*) from jobs where relayed_at is null")).rows[0]!.count;
      await client.end();
      expect(records).toHaveLength(DOCUMENTS);
      expect(records.filter((record) => record.status !== "indexed")).toEqual([]);
      expect(Number(unrelayed)).toBe(0);

      const tokens = createTokenCounter();
      const table = await (await connect(join(dataDir, "lancedb"))).openTable("chunks");
      const rows = (await table.query().select(["id", "document_id"]).toArray()) as Array<{ id: string; document_id: string }>;
      table.close();
      expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
      const perDocument = new Map<string, number>();
      for (const row of rows) perDocument.set(row.document_id, (perDocument.get(row.document_id) ?? 0) + 1);
      for (const record of records) {
        const index = Number(record.id.slice("log-".length));
        const parsed: ParsedDocument = { mediaType: "text/plain", text: documentText(index), title: null, pages: [], headings: [] };
        const expected = (await splitIntoChunks(parsed, CHUNKING, tokens)).length;
        expect(record.chunk_count).toBe(expected);
        expect(perDocument.get(record.id)).toBe(expected);
      }
    },
    240_000,
  );
});
