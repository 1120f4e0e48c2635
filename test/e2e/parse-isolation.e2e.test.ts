import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startService, type ServiceProcess } from "../helpers/service-process.js";
import { waitFor } from "../helpers/wait-for.js";

const ORDINARY = "Field note: the survey team walked nine kilometres along the river and counted fourteen herons before the rain.";

/**
 * HTML that is heavy to parse and light to index: `bytes` of menus (lists of links, which the parser
 * reads, then drops as page furniture), with a short paragraph of visible text every 100 kB. Parsed
 * on the event loop it would hold it for seconds (about 2.3 s per 50 MB on the project's machine).
 */
function heavyHtml(bytes: number): Buffer {
  const menu = '<ul><li><a href="/alpha">Alpha one</a></li><li><a href="/beta">Beta two</a></li></ul>\n';
  const parts = ["<!DOCTYPE html><html><head><title>Heavy page</title></head><body>"];
  let length = parts[0]!.length;
  for (let index = 0; length < bytes - 200; index++) {
    const part = index % 1_000 === 0 ? `<p>Paragraph ${index}: the gauge on pier ${index} read low water.</p>\n` : menu;
    parts.push(part);
    length += part.length;
  }
  return Buffer.from(`${parts.join("").slice(0, bytes - 20)}</body></html>`);
}

async function uploadFile(url: string, bytes: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes)]), name);
  const response = await fetch(`${url}/v1/documents`, { method: "POST", body: form });
  expect(response.status, await response.clone().text()).toBe(202);
  const { documents } = (await response.json()) as { documents: Array<{ status_url: string }> };
  return documents[0]!.status_url;
}

async function uploadText(url: string, id: string, text: string): Promise<string> {
  const response = await fetch(`${url}/v1/documents/${id}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
  expect(response.status).toBe(202);
  return `/v1/documents/${id}`;
}

async function settled(url: string, statusUrl: string, timeoutMs = 120_000): Promise<{ status: string; error: string | null }> {
  return waitFor(
    async () => {
      const state = (await (await fetch(`${url}${statusUrl}`)).json()) as { status: string; error: string | null };
      return state.status === "indexed" || state.status === "failed" ? state : null;
    },
    `${statusUrl} settled`,
    timeoutMs,
    100,
  );
}

/** The largest event-loop delay the service saw since the previous read (prom-client resets it on each scrape). */
async function eventLoopDelayMaxMs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith("ragline_nodejs_eventloop_lag_max_seconds "));
  if (!line) throw new Error("no event-loop delay gauge in /metrics");
  return Number(line.split(" ").at(-1)) * 1000;
}

describe("parsing on threads cannot take the service down (real process, embedded mode)", () => {
  const services: ServiceProcess[] = [];
  const directories: string[] = [];
  const start = async (environment: Record<string, string> = {}) => {
    const dataDir = await mkdtemp(join(tmpdir(), "ragline-parse-"));
    directories.push(dataDir);
    const service = await startService({ DATA_DIR: dataDir, ...environment });
    services.push(service);
    return service;
  };
  afterAll(async () => {
    for (const service of services) await service.kill();
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  });

  it("answers every /healthz within 2 s, with event-loop delay under 1 s, while a 50 MB HTML document parses", async () => {
    const service = await start();
    const document = heavyHtml(50_000_000);
    const statusUrl = await uploadFile(service.url, document, "heavy.html");
    // From the 202 on, the document is queued, parsed on a thread, then indexed: probe until it settles.
    const probes: number[] = [];
    const delays: number[] = [];
    let done = false;
    const probing = (async () => {
      while (!done) {
        const started = performance.now();
        const response = await fetch(`${service.url}/healthz`, { signal: AbortSignal.timeout(30_000) });
        probes.push(performance.now() - started);
        expect(response.status).toBe(200);
        delays.push(await eventLoopDelayMaxMs(service.url));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const outcome = await settled(service.url, statusUrl).finally(() => (done = true));
    await probing;
    expect(outcome).toMatchObject({ status: "indexed", error: null });
    expect(Math.max(...probes)).toBeLessThan(2_000);
    // The first reading also covers the upload itself (read, sniffed and hashed on the event loop before the 202).
    expect(Math.max(...delays.slice(1))).toBeLessThan(1_000);
    // The parse took long enough to be probed several times.
    expect(probes.length).toBeGreaterThanOrEqual(5);
  }, 240_000);

  it("fails a document over ingest.parseTimeoutMs and one over ingest.maxExtractedChars with their reasons, then indexes the next one", async () => {
    const service = await start({ RAGLINE_INGEST_PARSE_TIMEOUT_MS: "1000", RAGLINE_INGEST_MAX_EXTRACTED_CHARS: "15000000" });
    // An ordinary document first: the limit leaves it alone.
    expect(await settled(service.url, await uploadText(service.url, "warm-up", ORDINARY))).toMatchObject({ status: "indexed" });
    // About 10 million characters of visible text: seconds of parsing and chunking, under the character cap.
    const paragraph = `<p>${ORDINARY}</p>\n`;
    const slow = await uploadFile(
      service.url,
      Buffer.from(`<html><body>${paragraph.repeat(Math.floor(12_000_000 / paragraph.length))}</body></html>`),
      "slow.html",
    );
    const longText = "x".repeat(16_000_000);
    const long = await uploadText(service.url, "long", longText);
    const next = await uploadText(service.url, "next", ORDINARY.replace("fourteen", "fifteen"));
    expect(await settled(service.url, slow)).toEqual(
      expect.objectContaining({ status: "failed", error: "parsing took longer than 1000 ms (ingest.parseTimeoutMs) and was stopped" }),
    );
    expect(await settled(service.url, long)).toEqual(
      expect.objectContaining({
        status: "failed",
        error: "the document's extracted text has 16000000 characters, over the limit of 15000000 (ingest.maxExtractedChars)",
      }),
    );
    expect(await settled(service.url, next)).toMatchObject({ status: "indexed", error: null });
    // Permanent failures: one attempt each, not retried.
    const failed = (await (await fetch(`${service.url}/v1/jobs?state=failed`)).json()) as { jobs: Array<{ attempts: number }> };
    expect(failed.jobs.map((job) => job.attempts)).toEqual([1, 1]);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  }, 180_000);

  it("fails a document that needs more than ingest.parseMaxHeapMb, and keeps serving and indexing", async () => {
    const service = await start({ RAGLINE_INGEST_PARSE_MAX_HEAP_MB: "64" });
    // Visible text throughout: the extracted text alone outgrows a 64 MB heap.
    const paragraph = `<p>${ORDINARY}</p>\n`;
    const hungry = await uploadFile(
      service.url,
      Buffer.from(`<html><body>${paragraph.repeat(Math.floor(30_000_000 / paragraph.length))}</body></html>`),
      "hungry.html",
    );
    expect(await settled(service.url, hungry)).toEqual(
      expect.objectContaining({ status: "failed", error: "parsing ran out of memory: it needed more than 64 MB of heap (ingest.parseMaxHeapMb)" }),
    );
    expect(await settled(service.url, await uploadText(service.url, "after", ORDINARY))).toMatchObject({ status: "indexed", error: null });
    expect(service.child.exitCode).toBeNull();
  }, 180_000);
});
