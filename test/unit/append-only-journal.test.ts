import fs from "node:fs";
import { appendFile, copyFile, mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/ports/logger.js";
import { AppendOnlyJournal } from "../../src/adapters/job-queue/in-process/append-only-journal.js";

let directory: string;
let path: string;
const journals: AppendOnlyJournal[] = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "ragline-journal-"));
  path = join(directory, "nested", "test.journal");
});

afterEach(async () => {
  await Promise.all(journals.splice(0).map((journal) => journal.close()));
  await rm(directory, { recursive: true, force: true });
});

async function openJournal(options: { compactAfterLines?: number; warnings?: unknown[]; lockWaitMs?: number } = {}) {
  const journal = new AppendOnlyJournal({
    path,
    compactAfterLines: options.compactAfterLines,
    lock: { staleMs: 2_000, waitMs: options.lockWaitMs ?? 300 },
    logger: { ...silentLogger, warn: (fields) => void options.warnings?.push(fields), error: (fields) => void options.warnings?.push(fields) },
  });
  journals.push(journal);
  return { journal, values: await journal.load() };
}

async function lineCount(): Promise<number> {
  return (await readFile(path, "utf8")).split("\n").filter((line) => line !== "").length;
}

describe("AppendOnlyJournal", () => {
  it("replays puts and removals, last line per id winning, across instances", async () => {
    const { journal, values } = await openJournal();
    expect(values.size).toBe(0);
    await journal.put("a", { n: 1 });
    await journal.put("b", { n: 2 });
    await journal.put("a", { n: 3 });
    await journal.remove("b");
    await journal.put("c", 'text with\nnewline and "quotes"');
    await journal.close();
    const reopened = await openJournal();
    expect(Object.fromEntries(reopened.values)).toEqual({ a: { n: 3 }, c: 'text with\nnewline and "quotes"' });
  });

  it("writes every line of 200 concurrent puts (group-committed), each in the file once its caller resumes", async () => {
    const { journal } = await openJournal();
    await Promise.all(Array.from({ length: 200 }, (_, index) => journal.put(`id-${index}`, { index })));
    expect(await lineCount()).toBe(200);
    await journal.close();
    const reopened = await openJournal();
    expect(reopened.values.size).toBe(200);
    expect(reopened.values.get("id-199")).toEqual({ index: 199 });
  });

  it("skips a torn last line (a crash mid-append) and removes it, so later appends stay readable", async () => {
    const { journal } = await openJournal();
    await journal.put("kept", 1);
    await journal.close();
    await appendFile(path, '{"id":"torn","val');
    const warnings: unknown[] = [];
    const second = await openJournal({ warnings });
    expect(Object.fromEntries(second.values)).toEqual({ kept: 1 });
    expect(warnings).toEqual([expect.objectContaining({ torn: true })]);
    await second.journal.put("after", 2);
    await second.journal.close();
    expect(Object.fromEntries((await openJournal()).values)).toEqual({ kept: 1, after: 2 });
  });

  it("rewrites itself to the live entries once enough lines were appended", async () => {
    const { journal } = await openJournal({ compactAfterLines: 50 });
    for (let round = 0; round < 40; round++) {
      await Promise.all(Array.from({ length: 5 }, (_, index) => journal.put(`id-${index}`, { round })));
    }
    await journal.flush();
    // 200 lines were appended for 5 live ids: the file was rewritten along the way, so it holds far fewer.
    expect(await lineCount()).toBeLessThan(60);
    await journal.close();
    const reopened = await openJournal();
    expect([...reopened.values.values()]).toEqual(Array.from({ length: 5 }, () => ({ round: 39 })));
  });

  it("refuses lines once close() was called, yet writes those handed over before it", async () => {
    const { journal } = await openJournal();
    const before = journal.put("before", 1);
    const closing = journal.close();
    await expect(journal.put("late", 1)).rejects.toThrow(/closed/);
    await before;
    await closing;
    await journal.close();
    expect(Object.fromEntries((await openJournal()).values)).toEqual({ before: 1 });
  });

  it("flush() waits for the lines handed over so far, not for writers that keep appending", async () => {
    const { journal } = await openJournal();
    let writing = true;
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      for (let index = 0; writing; index++) await journal.put(`w${writer}-${index % 10}`, index);
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const flushed = await Promise.race([journal.flush().then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 5_000))]);
    writing = false;
    await Promise.all(writers);
    expect(flushed).toBe(true);
  });

  it("is held by one instance at a time: a second one is refused, a lock nobody refreshes is taken over", async () => {
    const { journal } = await openJournal();
    await expect(openJournal()).rejects.toThrow(/in use by another process or instance/);
    await journal.close();
    // A fresh lock, as a live holder keeps it (it refreshes the lock's mtime): refused.
    await mkdir(`${path}.lock`);
    await expect(openJournal()).rejects.toThrow(/in use by another process or instance/);
    // The same lock left without refreshes for longer than staleMs, with its owner's file inside, as a
    // kill -9 leaves it: taken over.
    const past = new Date(Date.now() - 60_000);
    await writeFile(`${path}.lock/owner-killed`, "1\n");
    await utimes(`${path}.lock/owner-killed`, past, past);
    await utimes(`${path}.lock`, past, past);
    const reopened = await openJournal();
    await reopened.journal.put("after takeover", true);
    await reopened.journal.close();
    await expect(stat(`${path}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("keeps its lock (and its writes) past the lock's refresh interval", async () => {
    const warnings: unknown[] = [];
    const { journal } = await openJournal({ warnings });
    // staleMs 2 000 → the lock is refreshed every second; a refresh that found the lock changed would stop writes.
    await new Promise((resolve) => setTimeout(resolve, 1_400));
    await journal.put("still writing", true);
    expect(warnings).toEqual([]);
  });

  it("closes cleanly while a load is still running, releasing the lock", async () => {
    const first = new AppendOnlyJournal({ path, lock: { staleMs: 2_000, waitMs: 300 } });
    const loading = first.load();
    await first.close();
    await loading.catch(() => undefined);
    await expect(stat(`${path}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
    const { journal } = await openJournal();
    await journal.put("reopened", 1);
  });

  it("never lets a rejected line take effect, even when the failed write got part-way", async () => {
    const { journal } = await openJournal();
    await journal.put("a", 1);
    const realWrite = fs.write;
    let failNext = true;
    // One short write, then an I/O error: part of the batch reaches the file before the failure.
    (fs as unknown as { write: unknown }).write = (
      descriptor: number,
      buffer: Buffer,
      offset: number,
      length: number,
      position: number,
      callback: (error: Error | null, written: number) => void,
    ) => {
      if (!failNext) return realWrite(descriptor, buffer, offset, length, position, callback);
      if (offset === 0) return realWrite(descriptor, buffer, offset, Math.max(1, Math.floor(length * 0.75)), position, callback);
      failNext = false;
      process.nextTick(() => callback(Object.assign(new Error("EIO: i/o error"), { code: "EIO" }), 0));
    };
    syncBuiltinESMExports();
    try {
      const batch = [journal.put("b", "rejected put"), journal.remove("a"), journal.put("c", "rejected put")];
      const outcomes = await Promise.allSettled(batch);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected", "rejected"]);
    } finally {
      (fs as unknown as { write: unknown }).write = realWrite;
      syncBuiltinESMExports();
    }
    await journal.put("d", 4);
    // As a kill -9 would leave it, and after a clean close.
    await copyFile(path, `${path}.copy`);
    await journal.close();
    expect(Object.fromEntries((await openJournal()).values)).toEqual({ a: 1, d: 4 });
    const copy = new AppendOnlyJournal({ path: `${path}.copy`, lock: { staleMs: 2_000, waitMs: 300 } });
    journals.push(copy);
    expect(Object.fromEntries(await copy.load())).toEqual({ a: 1, d: 4 });
  });
});
