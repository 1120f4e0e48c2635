/**
 * Lock race check for the job journal: N processes start at the same instant against the same
 * journal, with no lock, with a stale empty lock, and with a stale lock holding its dead owner's file
 * (as kill -9 leaves it); prints how many of them got the lock in each round (the right answer is 1)
 * and how many holders lost it again during a 2 s hold (the right answer is 0).
 * Usage: npx tsx bench/journal-lock-race.ts [--processes 6 --rounds 5]
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { processes: { type: "string", default: "6" }, rounds: { type: "string", default: "5" }, child: { type: "string" }, at: { type: "string" } },
});

if (values.child) {
  // One contender: waits for the common start instant, takes the lock, holds it for 2 s.
  const { AppendOnlyJournal } = await import("../src/adapters/job-queue/in-process/append-only-journal.js");
  while (Date.now() < Number(values.at)) await new Promise((resolve) => setTimeout(resolve, 1));
  let lost = false;
  const { silentLogger } = await import("../src/ports/logger.js");
  const logger = { ...silentLogger, error: () => void (lost = true) };
  const journal = new AppendOnlyJournal({ path: values.child, lock: { staleMs: 2_000, waitMs: 500 }, logger });
  try {
    await journal.load();
    for (let index = 0; index < 20; index++) {
      await journal.put("held", index);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await journal.close();
    console.log(lost ? "LOST" : "HELD");
  } catch {
    console.log(lost ? "LOST" : "REFUSED");
  }
} else {
  const self = fileURLToPath(import.meta.url);
  const round = async (setup: (lockPath: string) => Promise<void>): Promise<{ held: number; lost: number }> => {
    const directory = await mkdtemp(join(tmpdir(), "ragline-lock-race-"));
    const path = join(directory, "jobs.journal");
    await setup(`${path}.lock`);
    const at = Date.now() + 2_500;
    const outputs = await Promise.all(
      Array.from(
        { length: Number(values.processes) },
        () =>
          new Promise<string>((resolve) => {
            const child = spawn(process.execPath, ["--import", "tsx", self, "--child", path, "--at", String(at)], { stdio: ["ignore", "pipe", "ignore"] });
            let output = "";
            child.stdout.on("data", (part) => (output += String(part)));
            child.on("exit", () => resolve(output.trim()));
          }),
      ),
    );
    await rm(directory, { recursive: true, force: true });
    return { held: outputs.filter((output) => output === "HELD").length, lost: outputs.filter((output) => output === "LOST").length };
  };
  const old = new Date(Date.now() - 60_000);
  const setups: Record<string, (lockPath: string) => Promise<void>> = {
    "no lock": async () => {},
    "stale empty lock": async (lockPath) => {
      await mkdir(lockPath);
      await utimes(lockPath, old, old);
    },
    "stale lock with its dead owner's file": async (lockPath) => {
      await mkdir(lockPath);
      await writeFile(join(lockPath, "owner-killed"), "1\n");
      await utimes(join(lockPath, "owner-killed"), old, old);
      await utimes(lockPath, old, old);
    },
  };
  for (const [name, setup] of Object.entries(setups)) {
    const results: Array<{ held: number; lost: number }> = [];
    for (let index = 0; index < Number(values.rounds); index++) results.push(await round(setup));
    const holders = results.map((result) => result.held + result.lost).join(", ");
    const lost = results.map((result) => result.lost).join(", ");
    console.log(`${name}: holders per round ${holders}; of them lost the lock while holding it: ${lost} (${values.processes} processes starting at once)`);
  }
}
