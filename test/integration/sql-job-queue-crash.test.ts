import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteDatabase } from "../../src/adapters/sql/open-database.js";
import { childProcessEnvironment } from "../helpers/test-environment.js";

const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));
const childScript = join(repositoryRoot, "test/helpers/queue-crash-child.ts");
const JOB_COUNT = 200;

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "ragline-queue-crash-"));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function spawnChild(mode: "enqueue" | "resume"): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, directory, mode], {
    cwd: repositoryRoot,
    env: childProcessEnvironment(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

async function handledIds(): Promise<string[]> {
  const log = await readFile(join(directory, "handled.log"), "utf8").catch(() => "");
  return log.split("\n").filter((line) => line.length > 0);
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the child process");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("SqlJobQueue after kill -9", () => {
  it("runs every accepted job at least once, completes all of them, and counts a crash for each job that was running", async () => {
    const first = spawnChild("enqueue");
    const firstExit = exited(first.child);
    await waitFor(async () => first.output().includes("enqueued") && (await handledIds()).length >= 40, 20_000);
    first.child.kill("SIGKILL");
    expect(await firstExit).toEqual({ code: null, signal: "SIGKILL" });
    const handledBeforeCrash = new Set(await handledIds()).size;
    expect(handledBeforeCrash).toBeLessThan(JOB_COUNT);

    const second = spawnChild("resume");
    expect(await exited(second.child), second.output()).toEqual({ code: 0, signal: null });
    expect(second.output()).toContain("idle");

    const handled = await handledIds();
    const expectedIds = Array.from({ length: JOB_COUNT }, (_, index) => `job-${index}`);
    expect(new Set(handled)).toEqual(new Set(expectedIds));
    const state = await openSqliteDatabase({ path: join(directory, "ragline.sqlite") });
    try {
      const rows = await state.db.selectFrom("jobs").select(["id", "state", "attempts", "crashes"]).execute();
      expect(rows.map((row) => row.id).sort()).toEqual([...expectedIds].sort());
      expect(rows.filter((row) => row.state !== "completed")).toEqual([]);
      // The jobs that were running at the kill (at most the concurrency, 4) count one crash each; the
      // crashed attempt was given back, so every job completed on its first counted attempt.
      const crashed = rows.filter((row) => row.crashes > 0);
      expect(crashed.length).toBeGreaterThanOrEqual(1);
      expect(crashed.length).toBeLessThanOrEqual(4);
      expect(crashed.every((row) => row.crashes === 1)).toBe(true);
      expect(rows.every((row) => row.attempts === 1)).toBe(true);
    } finally {
      await state.close();
    }
  });
});
