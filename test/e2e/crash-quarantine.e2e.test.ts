import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteDatabase } from "../../src/adapters/sql/open-database.js";
import { CRASHING_PARSER_MARKER_VARIABLE } from "../../src/compose/crashing-parser-stand-in.js";
import { freePort, runServiceToExit, startService } from "../helpers/service-process.js";
import { childProcessEnvironment } from "../helpers/test-environment.js";
import { waitFor } from "../helpers/wait-for.js";

const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MARKER = "CRASH-THE-PARSER-7f3a";
const MAX_CRASHES = 3;
const NORMAL_DOCUMENTS = 30;
const POISON_ID = "poison";

interface Launched {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the service and resolves once it is healthy or has died (a crash may come before /healthz answers). */
async function launch(environment: Record<string, string>): Promise<Launched & { healthy: boolean }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: PROJECT_ROOT,
    env: childProcessEnvironment({ HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...environment }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += String(chunk)));
  child.stderr?.on("data", (chunk) => (output += String(chunk)));
  let dead = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => ((dead = true), resolve({ code, signal }))),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!dead && Date.now() < deadline) {
    if (
      await fetch(`${url}/healthz`).then(
        (response) => response.ok,
        () => false,
      )
    )
      return { url, child, output: () => output, exited, healthy: true };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!dead) child.kill("SIGKILL");
  return { url, child, output: () => output, exited, healthy: false };
}

function documentText(index: number): string {
  return `Field note ${index}: the survey team walked ${index * 3} kilometres along the river and counted ${index + 11} herons before the rain.`;
}

async function allDocuments(url: string): Promise<Array<{ id: string; status: string; error: string | null; job_id: string }>> {
  const all: Array<{ id: string; status: string; error: string | null; job_id: string }> = [];
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

describe("a document that crashes the process (real process, embedded mode)", () => {
  const directories: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  });

  it("is failed after ingest.maxCrashes restarts, with its reason, while every other document is indexed", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "ragline-quarantine-"));
    directories.push(dataDir);
    const environment = {
      DATA_DIR: dataDir,
      RAGLINE_CHUNKING_SIZE: "32",
      RAGLINE_CHUNKING_OVERLAP: "4",
      RAGLINE_INGEST_CONCURRENCY: "4",
      [CRASHING_PARSER_MARKER_VARIABLE]: MARKER,
    };

    const first = await launch(environment);
    children.push(first.child);
    expect(first.healthy, first.output()).toBe(true);
    // The others first, all acknowledged, then the poison: it is claimed while the last of them still run
    // or wait. (A crash in the middle of an upload is the upload transaction's test, not this one.)
    const accepted: string[] = [];
    const ids = Array.from({ length: NORMAL_DOCUMENTS }, (_, index) => index);
    await Promise.all(
      Array.from({ length: 4 }, async (_, lane) => {
        for (const index of ids.filter((value) => value % 4 === lane)) {
          const response = await fetch(`${first.url}/v1/documents/note-${index}`, {
            method: "PUT",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text: documentText(index) }),
          });
          expect(response.status).toBe(202);
          accepted.push(`note-${index}`);
        }
      }),
    );
    // Its answer may be lost to the crash it causes; its record is checked at the end.
    await fetch(`${first.url}/v1/documents/${POISON_ID}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: `This report looks harmless. ${MARKER} It is not.` }),
    }).catch(() => null);
    expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });

    // Each restart counts one more crash; until the limit, the poison runs again (alone) and kills the process.
    for (let restart = 1; restart < MAX_CRASHES; restart += 1) {
      const next = await launch(environment);
      children.push(next.child);
      expect(await next.exited, `restart ${restart}: ${next.output()}`).toEqual({ code: null, signal: "SIGKILL" });
    }

    const last = await launch(environment);
    children.push(last.child);
    expect(last.healthy, last.output()).toBe(true);
    const documents = await waitFor(
      async () => {
        const all = await allDocuments(last.url);
        return all.every((document) => document.status === "indexed" || document.status === "failed") ? all : null;
      },
      "every document settled",
      60_000,
      200,
    ).catch(async (error: Error) => {
      const unsettled = (await allDocuments(last.url)).filter((document) => document.status !== "indexed" && document.status !== "failed");
      const jobs = await Promise.all(unsettled.map(async (document) => (await fetch(`${last.url}/v1/jobs/${encodeURIComponent(document.job_id)}`)).json()));
      throw new Error(`${error.message}: ${JSON.stringify({ unsettled, jobs })}`);
    });
    const poison = documents.find((document) => document.id === POISON_ID);
    expect(poison).toMatchObject({ status: "failed", error: `crashed the worker ${MAX_CRASHES} times` });
    const others = documents.filter((document) => document.id !== POISON_ID);
    expect(others.filter((document) => document.status !== "indexed")).toEqual([]);
    const indexed = new Set(others.map((document) => document.id));
    expect([...indexed].sort()).toEqual([...accepted].sort());

    const deadLetters = (await (await fetch(`${last.url}/v1/jobs?state=failed`)).json()) as { jobs: Array<{ id: string; document_id: string; error: string }> };
    expect(deadLetters.jobs).toMatchObject([{ id: poison!.job_id, document_id: POISON_ID, error: `crashed the worker ${MAX_CRASHES} times` }]);
    last.child.kill("SIGTERM");
    expect(await last.exited).toEqual({ code: 0, signal: null });

    // The crash counter as stored: the poison crashed every time; no other job reached the limit.
    const state = await openSqliteDatabase({ path: join(dataDir, "ragline.sqlite") });
    try {
      const jobs = await state.db.selectFrom("jobs").select(["id", "state", "crashes"]).execute();
      expect(jobs.find((job) => job.id === poison!.job_id)).toMatchObject({ state: "failed", crashes: MAX_CRASHES });
      expect(jobs.filter((job) => job.id !== poison!.job_id && (job.state !== "completed" || job.crashes >= MAX_CRASHES))).toEqual([]);
    } finally {
      await state.close();
    }
  }, 180_000);

  it("refuses a second process on the same data directory with one line and exit code 1, and leaves the first one serving", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "ragline-in-use-"));
    directories.push(dataDir);
    const first = await startService({ DATA_DIR: dataDir });
    children.push(first.child);
    const second = await runServiceToExit({ DATA_DIR: dataDir, PORT: String(await freePort()), HOST: "127.0.0.1", LOG_LEVEL: "warn" });
    expect(second.code).toBe(1);
    expect(second.output.trim().split("\n")).toEqual([
      `Refusing to start: ${join(dataDir, "ragline.sqlite")} is in use by another Ragline process (one process per data directory)`,
    ]);
    expect((await fetch(`${first.url}/healthz`)).ok).toBe(true);
    expect(await first.stop()).toBe(0);
  }, 60_000);
});
