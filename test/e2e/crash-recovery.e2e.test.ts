import { connect } from "@lancedb/lancedb";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteDatabase } from "../../src/adapters/sql/open-database.js";
import { startService, type ServiceProcess } from "../helpers/service-process.js";
import { waitFor } from "../helpers/wait-for.js";

const DOCUMENTS = 240;
const BATCH_SIZE = 16;

function documentText(index: number): string {
  const topics = ["harbour", "orchard", "glacier", "library", "railway", "vineyard", "observatory", "lighthouse"];
  return Array.from(
    { length: 6 },
    (_, paragraph) =>
      `Report ${index}, part ${paragraph}: the ${topics[(index + paragraph) % topics.length]} team measured ${index * 7 + paragraph} units and wrote down what they saw in the ${paragraph % 2 ? "morning" : "evening"}.`,
  ).join("\n\n");
}

describe("kill -9 during a large ingest (real process, embedded mode)", () => {
  let dataDir: string;
  let service: ServiceProcess | undefined;
  afterAll(async () => {
    await service?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("ends with every accepted document indexed exactly once after a restart", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ragline-crash-"));
    // Small chunks, one batch at a time and small batches make the ingest long enough to be killed in the middle of it.
    const environment = {
      DATA_DIR: dataDir,
      RAGLINE_CHUNKING_SIZE: "32",
      RAGLINE_CHUNKING_OVERLAP: "4",
      RAGLINE_INGEST_CONCURRENCY: "1",
      RAGLINE_INGEST_BATCH_SIZE: String(BATCH_SIZE),
    };
    service = await startService(environment);
    const accepted: string[] = [];
    const uploads = Array.from({ length: DOCUMENTS }, (_, index) => index);
    await Promise.all(
      Array.from({ length: 8 }, async (_, lane) => {
        for (const index of uploads.filter((value) => value % 8 === lane)) {
          const response = await fetch(`${service!.url}/v1/documents/report-${index}`, {
            method: "PUT",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text: documentText(index) }),
          });
          expect(response.status).toBe(202);
          accepted.push(`report-${index}`);
        }
      }),
    );
    const indexedBeforeKill = Number(
      (await (await fetch(`${service.url}/metrics`)).text()).match(/^ragline_ingest_jobs_total\{outcome="completed"\} (\d+)/m)?.[1] ?? 0,
    );
    await service.kill();
    expect(accepted).toHaveLength(DOCUMENTS);
    expect(indexedBeforeKill).toBeLessThan(DOCUMENTS);

    service = await startService({ ...environment, RAGLINE_INGEST_CONCURRENCY: "8" });
    const states = await waitFor(
      async () => {
        const all: Array<{ id: string; status: string; chunk_count: number }> = [];
        let cursor: string | null = null;
        do {
          const page = (await (await fetch(`${service!.url}/v1/documents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)).json()) as {
            documents: typeof all;
            next_cursor: string | null;
          };
          all.push(...page.documents);
          cursor = page.next_cursor;
        } while (cursor);
        return all.length === DOCUMENTS && all.every((document) => document.status === "indexed") ? all : null;
      },
      "every document indexed after restart",
      90_000,
      250,
    );
    expect(await service.stop()).toBe(0);
    service = undefined;

    const table = await (await connect(join(dataDir, "lancedb"))).openTable("chunks");
    const rows = (await table.query().select(["id", "document_id"]).toArray()) as Array<{ id: string; document_id: string }>;
    const expectedTotal = states.reduce((sum, document) => sum + document.chunk_count, 0);
    expect(states.every((document) => document.chunk_count > 1)).toBe(true);
    expect(rows).toHaveLength(expectedTotal);
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    const perDocument = new Map<string, number>();
    for (const row of rows) perDocument.set(row.document_id, (perDocument.get(row.document_id) ?? 0) + 1);
    for (const document of states) expect(perDocument.get(document.id)).toBe(document.chunk_count);
    table.close();

    // The queue's own record in SQLite: one job per document, all completed with one attempt. The jobs
    // of the batch that was running at the kill (one batch at a time then) each counted one crash and
    // were given their attempt back; each then ran alone once and did not crash again.
    const state = await openSqliteDatabase({ path: join(dataDir, "ragline.sqlite") });
    try {
      const jobs = await state.db.selectFrom("jobs").select(["state", "attempts", "crashes"]).execute();
      expect(jobs).toHaveLength(DOCUMENTS);
      expect(jobs.filter((job) => job.state !== "completed" || job.attempts !== 1)).toEqual([]);
      expect(jobs.filter((job) => job.crashes > 1)).toEqual([]);
      expect(jobs.filter((job) => job.crashes === 1).length).toBeLessThanOrEqual(BATCH_SIZE);
    } finally {
      await state.close();
    }
  }, 180_000);
});
