import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe } from "vitest";
import { SqlJobQueue } from "../../src/adapters/job-queue/sql/sql-job-queue.js";
import { openPostgresDatabase, openSqliteDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import { createTestPostgresDatabase, postgresForTests } from "../helpers/test-database.js";
import { runJobQueueContract, type ContractPayload, type JobQueueFixture, type JobQueueSettings } from "./job-queue.contract.js";
import { runJobQueueBatchContract } from "./job-queue-batches.contract.js";

function openQueue(state: SqlState, settings: JobQueueSettings): SqlJobQueue<ContractPayload> {
  return new SqlJobQueue<ContractPayload>({ state, backoff: { baseMs: 5, maxMs: 20 }, closeGraceMs: 200, pollIntervalMs: 50, ...settings });
}

async function sqliteFixture(): Promise<JobQueueFixture> {
  const directory = await mkdtemp(join(tmpdir(), "ragline-queue-contract-"));
  // One process holds the file (SQLite's exclusive lock): queue instances, opened one after another, share its handle.
  const state = await openSqliteDatabase({ path: join(directory, "ragline.sqlite") });
  return {
    open: (settings = {}) => openQueue(state, settings),
    cleanup: async () => {
      await state.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

runJobQueueBatchContract({ name: "SQL queue on SQLite", create: sqliteFixture });

runJobQueueContract({
  name: "SQL queue on SQLite",
  create: sqliteFixture,
  skip: [
    {
      reason: "SQLite admits one process per database file (its exclusive lock), so two api instances cannot share it; the PostgreSQL run covers the case",
      tests: ["concurrent enqueues of one id from two instances make one job"],
    },
  ],
});

const postgres = await postgresForTests("the SQL job queue contract on PostgreSQL");

async function postgresFixture(): Promise<JobQueueFixture> {
  const database = await createTestPostgresDatabase();
  const states: SqlState[] = [];
  return {
    // Each instance has its own connection pool, as separate processes would.
    open: async (settings = {}) => {
      const state = await openPostgresDatabase({ url: database.url, maxConnections: 4 });
      states.push(state);
      return openQueue(state, settings);
    },
    cleanup: async () => {
      await Promise.all(states.map((state) => state.close()));
      await database.drop();
    },
  };
}

describe.skipIf(!postgres)("SQL queue on PostgreSQL", () => {
  runJobQueueContract({ name: "SQL queue on PostgreSQL", create: postgresFixture });
  runJobQueueBatchContract({ name: "SQL queue on PostgreSQL", create: postgresFixture });
});
