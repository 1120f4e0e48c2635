import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPostgresDatabase, openSqliteDatabase, type SqlState } from "../../src/adapters/sql/open-database.js";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { TEST_RUN_ID_VARIABLE, testDatabaseUrl } from "./test-environment.js";

/** The server of `RAGLINE_TEST_DATABASE_URL` with another database name. */
function urlWithDatabase(name: string): string {
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Database name prefix of the run `runId`, so the global teardown can drop what a run left. */
export function testDatabasePrefixOfRun(runId: string): string {
  return `ragline_test_${runId.replace(/[^a-z0-9]/gi, "").toLowerCase()}_`;
}

async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlWithDatabase("postgres"), connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Whether the test PostgreSQL server answers. */
export async function postgresAvailable(): Promise<boolean> {
  try {
    await withAdmin((client) => client.query("select 1"));
    return true;
  } catch {
    return false;
  }
}

/** Creates an empty database of its own on the test server; `drop()` removes it (and its connections). */
export async function createTestPostgresDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${testDatabasePrefixOfRun(process.env[TEST_RUN_ID_VARIABLE] || "adhoc")}${randomBytes(5).toString("hex")}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  return { url: urlWithDatabase(name), name, drop: () => dropTestDatabase(name) };
}

export async function dropTestDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
}

/** Databases whose name starts with `prefix` (leftovers of a run). */
export async function listTestDatabases(prefix: string): Promise<string[]> {
  return withAdmin(async (client) => {
    const result = await client.query<{ datname: string }>("select datname from pg_database where datname like $1", [`${prefix}%`]);
    return result.rows.map((row) => row.datname);
  });
}

/**
 * Whether the PostgreSQL suites can run: true when the test server answers. Outside CI a missing
 * server skips them with a visible message; under CI=true it is an error (CI must provide one).
 */
export async function postgresForTests(suite: string): Promise<boolean> {
  if (await postgresAvailable()) return true;
  const message = `PostgreSQL not reachable at ${new URL(testDatabaseUrl).host} (RAGLINE_TEST_DATABASE_URL): ${suite} cannot run`;
  if (process.env.CI) throw new Error(message);
  console.warn(`Skipping: ${message}`);
  return false;
}

/** An opened state database of a test's own and how to throw it away. */
export interface TestSqlState {
  state: SqlState;
  cleanup(): Promise<void>;
}

/** A fresh SQLite state database in a temporary directory (migrated, as the service opens it). */
export async function openTestSqlite(prefix = "ragline-sqlite-"): Promise<TestSqlState> {
  const directory = await mkdtemp(join(tmpdir(), prefix));
  const state = await openSqliteDatabase({ path: join(directory, "state.sqlite") });
  return {
    state,
    cleanup: async () => {
      await state.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A fresh PostgreSQL database of its own on the test server (migrated); `cleanup` drops it. */
export async function openTestPostgres(maxConnections = 2): Promise<TestSqlState> {
  const database = await createTestPostgresDatabase();
  const state = await openPostgresDatabase({ url: database.url, maxConnections });
  return {
    state,
    cleanup: async () => {
      await state.close();
      await database.drop();
    },
  };
}
