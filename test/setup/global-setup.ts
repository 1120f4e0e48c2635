/**
 * Vitest global setup: writes the run's clean config (defaults, data under a temp directory) for
 * the setup file to point RAGLINE_CONFIG at, and proves the run hermetic. Keys under the production
 * prefix `ragline:` counted before and after the run must not grow, and no key of this run's test
 * prefixes may be left behind (those are then deleted); otherwise the run fails (exit code 1, and a line in the file named
 * by RAGLINE_TEST_LEAK_REPORT for .ci/run to count).
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { deleteKeysWithPrefix, redisAvailable, scanKeys } from "../helpers/redis-keys.js";
import { Redis } from "ioredis";
import { dropTestDatabase, listTestDatabases, postgresAvailable, testDatabasePrefixOfRun } from "../helpers/test-database.js";
import { testKeyPrefixOfRun, testRedisUrl } from "../helpers/test-environment.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A ragline.config.yaml holding nothing but a temp data directory. */
    testConfigPath: string;
    /** Part of every key prefix this run's tests use. */
    testRunId: string;
  }
}

const PRODUCTION_PREFIX = "ragline:";

export default async function globalSetup(project: TestProject): Promise<() => Promise<void>> {
  const directory = await mkdtemp(join(tmpdir(), "ragline-test-run-"));
  const configPath = join(directory, "ragline.config.yaml");
  await mkdir(join(directory, "data"));
  await writeFile(
    configPath,
    `# Written by test/setup/global-setup.ts: tests never read the project's own config.\nserver:\n  dataDir: ${JSON.stringify(join(directory, "data"))}\n`,
  );
  const runId = randomBytes(4).toString("hex");
  project.provide("testConfigPath", configPath);
  project.provide("testRunId", runId);

  const checkRedis = await redisAvailable(testRedisUrl);
  const before = checkRedis ? new Set(await scanKeys(testRedisUrl, `${PRODUCTION_PREFIX}*`)) : new Set<string>();

  return async () => {
    await rm(directory, { recursive: true, force: true });
    await dropLeftoverDatabases(runId);
    if (!checkRedis) return;
    const added = (await scanKeys(testRedisUrl, `${PRODUCTION_PREFIX}*`)).filter((key) => !before.has(key));
    const leftover = await scanKeys(testRedisUrl, `${testKeyPrefixOfRun(runId)}*`);
    const problems = [
      ...(added.length > 0 ? [`${added.length} keys added under the production prefix "${PRODUCTION_PREFIX}" (e.g. ${added.slice(0, 5).join(", ")})`] : []),
      ...(leftover.length > 0 ? [`${leftover.length} keys of this run's test prefixes left behind (e.g. ${leftover.slice(0, 5).join(", ")})`] : []),
    ];
    if (problems.length === 0) return;
    if (leftover.length > 0) await deleteRunKeys(runId);
    const message = `Tests are not hermetic on ${testRedisUrl}: ${problems.join("; ")}`;
    console.warn(message);
    process.exitCode = 1;
    const report = process.env.RAGLINE_TEST_LEAK_REPORT;
    if (report) await writeFile(report, `${message}\n`, { flag: "a" });
  };
}

/** This run's own leftovers are removed once reported (the production prefix is never touched). */
async function deleteRunKeys(runId: string): Promise<void> {
  const client = new Redis(testRedisUrl, { maxRetriesPerRequest: 1 });
  try {
    await deleteKeysWithPrefix(client, testKeyPrefixOfRun(runId));
  } finally {
    client.disconnect();
  }
}

/** PostgreSQL databases this run created and did not drop (a test that crashed before its cleanup). */
async function dropLeftoverDatabases(runId: string): Promise<void> {
  if (!(await postgresAvailable())) return;
  for (const name of await listTestDatabases(testDatabasePrefixOfRun(runId))) await dropTestDatabase(name);
}
