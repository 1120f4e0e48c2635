import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { SqlDocumentRepository } from "../../src/adapters/document-repository/sql/sql-document-repository.js";
import { openPostgresDatabase, openSqliteDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import { createTestPostgresDatabase, openTestPostgres, openTestSqlite, postgresForTests, type TestSqlState } from "../helpers/test-database.js";
import { makeRecord, runDocumentRepositoryContract, type DocumentRepositoryFixture } from "./document-repository.contract.js";
import { runDocumentRepositoryBatchContract } from "./document-repository-batches.contract.js";

const JOB_ATTEMPTS = { jobMaxAttempts: 3 };

/** A repository on a state database of the test's own (`opened`: a fresh SQLite or PostgreSQL database). */
async function repositoryOn(opened: Promise<TestSqlState>): Promise<DocumentRepositoryFixture> {
  const { state, cleanup } = await opened;
  return { open: () => new SqlDocumentRepository(state, JOB_ATTEMPTS), cleanup };
}

const sqliteFixture = () => repositoryOn(openTestSqlite("ragline-documents-sqlite-"));

runDocumentRepositoryContract({
  name: "SQL on SQLite",
  create: sqliteFixture,
  skip: [
    {
      reason: "embedded mode: one process holds the SQLite file (its exclusive lock), so a second instance shares the first one's connection",
      tests: ["concurrent updates from two instances lose none"],
    },
  ],
});

runDocumentRepositoryBatchContract({ name: "SQL on SQLite", create: sqliteFixture });

const postgres = await postgresForTests("the SQL document repository on PostgreSQL");

if (postgres) {
  runDocumentRepositoryBatchContract({
    name: "SQL on PostgreSQL",
    create: () => repositoryOn(openTestPostgres(4)),
  });
}

if (postgres) {
  runDocumentRepositoryContract({
    name: "SQL on PostgreSQL",
    create: async () => {
      const database = await createTestPostgresDatabase();
      const states: SqlState[] = [];
      return {
        // Each instance has its own pool, as separate API and worker processes do.
        open: async () => {
          const state = await openPostgresDatabase({ url: database.url, maxConnections: 4 });
          states.push(state);
          return new SqlDocumentRepository(state, JOB_ATTEMPTS);
        },
        cleanup: async () => {
          await Promise.all(states.map((state) => state.close()));
          await database.drop();
        },
      };
    },
  });
}

describe("SQL document repository: one transaction for record and job", () => {
  it("writes neither the record nor the job when the job cannot be written", async () => {
    const directory = await mkdtemp(join(tmpdir(), "ragline-documents-atomic-"));
    const state = await openSqliteDatabase({ path: join(directory, "state.sqlite") });
    try {
      const repository = new SqlDocumentRepository(state, JOB_ATTEMPTS);
      // A trigger that refuses every job row stands in for a failure between the two writes.
      await sql`create trigger refuse_jobs before insert on jobs begin select raise(abort, 'jobs refused'); end`.execute(state.db);
      const record = makeRecord("acme", "doc");
      await expect(repository.putWithJob(record, { id: record.jobId, data: {} })).rejects.toThrow(/jobs refused/);
      expect(await repository.get("acme", "doc")).toBeNull();
      await sql`drop trigger refuse_jobs`.execute(state.db);
      await repository.putWithJob(record, { id: record.jobId, data: { documentId: "doc" } });
      const jobs = await state.db.selectFrom("jobs").select(["id", "state", "data", "max_attempts"]).execute();
      expect(jobs).toEqual([{ id: record.jobId, state: "queued", data: JSON.stringify({ documentId: "doc" }), max_attempts: 3 }]);
    } finally {
      await state.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
