import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, expect, it } from "vitest";
import { CRASHING_PARSER_MARKER_VARIABLE } from "../../src/compose/crashing-parser-stand-in.js";
import { deleteKeysWithPrefix, describeWithRedis, redisUrl, uniqueKeyPrefix } from "../helpers/redis-available.js";
import { freePort, startService, type ServiceProcess } from "../helpers/service-process.js";
import { createTestPostgresDatabase, postgresForTests } from "../helpers/test-database.js";
import { childProcessEnvironment } from "../helpers/test-environment.js";
import { waitFor } from "../helpers/wait-for.js";

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MARKER = "CRASH-THE-PARSER-51c9";
const MAX_CRASHES = 2;
const NORMAL_DOCUMENTS = 24;
const POISON_ID = "poison";
const withPostgres = await postgresForTests("the server-mode crash quarantine end-to-end test");

/** Keeps one `npm run worker` process alive, starting a new one whenever it dies, as a supervisor (compose `restart`) would. */
function supervisedWorker(environment: Record<string, string>): { deaths: () => number; stop: () => Promise<void> } {
  let deaths = 0;
  let stopped = false;
  let current: ChildProcess | null = null;
  const start = async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/worker.ts"], {
      cwd: PROJECT_ROOT,
      env: childProcessEnvironment({ HOST: "127.0.0.1", PORT: String(await freePort()), LOG_LEVEL: "warn", ...environment }),
      stdio: "ignore",
    });
    current = child;
    child.once("exit", () => {
      if (stopped) return;
      deaths += 1;
      void start();
    });
  };
  void start();
  return {
    deaths: () => deaths,
    async stop() {
      stopped = true;
      const child = current;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

describeWithRedis("server mode: a document that crashes its worker (real processes, PostgreSQL and Redis)", () => {
  const keyPrefix = uniqueKeyPrefix();
  let dataDir: string | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;
  let api: ServiceProcess | undefined;
  const workers: Array<{ stop: () => Promise<void> }> = [];
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await api?.kill();
    const redis = new Redis(redisUrl);
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it.runIf(withPostgres)(
    "is failed after ingest.maxCrashes worker deaths, with its reason, while every other document is indexed",
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), "ragline-server-crash-"));
      database = await createTestPostgresDatabase();
      const environment = {
        DATA_DIR: dataDir,
        REDIS_URL: redisUrl,
        DATABASE_URL: database.url,
        RAGLINE_REDIS_KEY_PREFIX: keyPrefix,
        RAGLINE_INGEST_CONCURRENCY: "4",
        RAGLINE_INGEST_MAX_CRASHES: String(MAX_CRASHES),
        RAGLINE_INGEST_LOCK_DURATION_MS: "1000",
        RAGLINE_INGEST_STALLED_INTERVAL_MS: "500",
        RAGLINE_INGEST_RECONCILE_INTERVAL_MS: "2000",
      };
      api = await startService({ ...environment, RAGLINE_WORKERS_IN_PROCESS: "false" });
      const upload = async (id: string, text: string) => {
        const response = await fetch(`${api!.url}/v1/documents/${id}`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ text }),
        });
        expect(response.status).toBe(202);
      };
      await upload(POISON_ID, `This note carries ${MARKER} and takes its worker down.`);
      for (let index = 0; index < NORMAL_DOCUMENTS; index += 1) {
        await upload(`note-${index}`, `Field note ${index}: the survey team counted ${index + 11} herons before the rain.`);
      }
      const crashing = supervisedWorker({ ...environment, [CRASHING_PARSER_MARKER_VARIABLE]: MARKER });
      const steady = supervisedWorker({ ...environment, [CRASHING_PARSER_MARKER_VARIABLE]: MARKER });
      workers.push(crashing, steady);

      const documents = await waitFor(
        async () => {
          const page = (await (await fetch(`${api!.url}/v1/documents?limit=100`)).json()) as {
            documents: Array<{ id: string; status: string; error: string | null }>;
          };
          return page.documents.every((document) => document.status === "indexed" || document.status === "failed") ? page.documents : null;
        },
        "every document indexed or failed",
        120_000,
        250,
      );
      expect(documents).toHaveLength(NORMAL_DOCUMENTS + 1);
      expect(documents.find((document) => document.id === POISON_ID)).toMatchObject({ status: "failed", error: `crashed the worker ${MAX_CRASHES} times` });
      expect(documents.filter((document) => document.id !== POISON_ID && document.status !== "indexed")).toEqual([]);
      expect(crashing.deaths() + steady.deaths()).toBe(MAX_CRASHES);
    },
    180_000,
  );
});
