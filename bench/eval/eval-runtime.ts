import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeRuntime, type Runtime } from "../../src/compose/compose-runtime.js";
import { configSchema, type Config, type RetrievalSettings } from "../../src/config/schema.js";
import { DOCUMENT_ID_PATTERN } from "../../src/core/documents.js";
import { createApp } from "../../src/http/create-app.js";
import { createLogger } from "../../src/observability/logger.js";
import type { EvalDocument } from "./eval-sets.js";
import { runPool } from "../lib/bench-service.js";

/** The tenant every request belongs to with auth off (no API keys configured). */
export const EVAL_TENANT = "default";
/** Longest ranking the retrieval metrics read (recall@100). */
export const RANKING_DEPTH = 100;

export interface EvalRuntime {
  app: ReturnType<typeof createApp>;
  runtime: Runtime;
  config: Config;
  /**
   * Switches the live retrieval settings: `ranking` lifts maxTopK and candidateK to RANKING_DEPTH so a
   * request can ask for top 100; `defaults` is the configuration's own retrieval section, untouched.
   */
  useSettings(which: "ranking" | "defaults"): void;
  close(): Promise<void>;
}

/**
 * The embedded service as `npm start` builds it (composeRuntime + createApp, workers in process) on a
 * fresh temporary data directory, from config `overrides` validated by the real schema (environment
 * variables are not read, so a shell's REDIS_URL or QDRANT_URL never leaks into a run).
 */
export async function startEvalRuntime(overrides: Record<string, unknown>): Promise<EvalRuntime> {
  const dataDir = await mkdtemp(join(tmpdir(), "ragline-eval-"));
  const server = { ...((overrides.server as object | undefined) ?? {}), dataDir, logLevel: "silent" };
  // Durability of an eval's throw-away data directory does not matter; fsync per upload would dominate ingest time.
  const database = { sqliteSynchronous: "normal", ...((overrides.database as object | undefined) ?? {}) };
  const config = configSchema.parse({ ...overrides, server, database });
  const ranking: RetrievalSettings = {
    ...config.retrieval,
    maxTopK: RANKING_DEPTH,
    candidateK: Math.max(config.retrieval.candidateK, RANKING_DEPTH),
    minScoreFloor: Math.min(config.retrieval.minScoreFloor, 0),
  };
  let current: RetrievalSettings = config.retrieval;
  const runtime = await composeRuntime({ config, retrievalSettings: { current: () => current }, logger: createLogger({ level: "silent" }) });
  await runtime.startWorkers();
  return {
    app: createApp(runtime.deps),
    runtime,
    config,
    useSettings(which) {
      current = which === "ranking" ? ranking : config.retrieval;
    },
    async close() {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface IngestReport {
  /** Service document id → the set's document id (ids the API refuses are renamed `doc-<n>`). */
  originalIds: Map<string, string>;
  indexed: number;
  failed: number;
  seconds: number;
}

/**
 * Uploads every document through `PUT /v1/documents/{id}` (JSON: title and text, as a user would) and
 * waits until each one is `indexed` or `failed`. `titleInText` prepends the title to the text.
 */
export async function ingestDocuments(
  eval_: EvalRuntime,
  documents: readonly EvalDocument[],
  options: { timeoutMs?: number; titleInText?: boolean } = {},
): Promise<IngestReport> {
  const started = performance.now();
  const originalIds = new Map<string, string>();
  await runPool(documents, 8, async (document, index) => {
    const serviceId = DOCUMENT_ID_PATTERN.test(document.id) ? document.id : `doc-${index}`;
    originalIds.set(serviceId, document.id);
    const text = options.titleInText && document.title ? `${document.title}\n\n${document.text}` : document.text;
    const body = { text: text.trim() === "" ? document.title : text, ...(document.title ? { title: document.title.slice(0, 512) } : {}) };
    const response = await eval_.app.request(`/v1/documents/${encodeURIComponent(serviceId)}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.status !== 202 && response.status !== 200) throw new Error(`upload of ${document.id} failed: ${response.status} ${await response.text()}`);
  });

  const settled = await waitUntilSettled(eval_, documents.length, options.timeoutMs);
  return { originalIds, ...settled, seconds: (performance.now() - started) / 1000 };
}

/** A file as a user would upload it: `PUT /v1/documents/{id}` multipart, the parser chosen by the service from the bytes and name. */
export interface EvalFile {
  id: string;
  /** File name (its extension is a hint the service may use, e.g. `.md`). */
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** Uploads every file with `PUT /v1/documents/{id}` (multipart, one `file` part) and waits until each one is `indexed` or `failed`. */
export async function ingestFiles(
  eval_: EvalRuntime,
  files: readonly EvalFile[],
  options: { timeoutMs?: number } = {},
): Promise<Omit<IngestReport, "originalIds">> {
  const started = performance.now();
  await runPool(files, 4, async (file) => {
    const form = new FormData();
    form.append("file", new Blob([file.bytes]), file.name);
    const response = await eval_.app.request(`/v1/documents/${encodeURIComponent(file.id)}`, { method: "PUT", body: form });
    if (response.status !== 202 && response.status !== 200) throw new Error(`upload of ${file.name} failed: ${response.status} ${await response.text()}`);
  });
  const settled = await waitUntilSettled(eval_, files.length, options.timeoutMs);
  return { ...settled, seconds: (performance.now() - started) / 1000 };
}

/** Polls the document list until `expected` documents are `indexed` or `failed`, then folds new rows into the store's indexes. */
async function waitUntilSettled(eval_: EvalRuntime, expected: number, timeoutMs = 30 * 60_000): Promise<{ indexed: number; failed: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await documentStatuses(eval_);
    const indexed = statuses.filter((status) => status === "indexed").length;
    const failed = statuses.filter((status) => status === "failed").length;
    if (indexed + failed >= expected) {
      // Measure the store as it settles, not mid-maintenance: fold every new row into the full-text and
      // vector indexes now (LanceDB otherwise does it after an idle delay, and rows not yet indexed are
      // scored by a flat search with other statistics), so figures do not depend on that timing.
      await (eval_.runtime.deps.store as { optimize?: () => Promise<void> }).optimize?.();
      return { indexed, failed };
    }
    if (Date.now() > deadline) throw new Error(`ingest timed out: ${indexed} indexed, ${failed} failed of ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function documentStatuses(eval_: EvalRuntime): Promise<string[]> {
  const statuses: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await eval_.app.request(`/v1/documents?limit=100${query}`);
    if (response.status !== 200) throw new Error(`listing documents failed: ${response.status}`);
    const page = (await response.json()) as { documents: Array<{ status: string }>; next_cursor: string | null };
    statuses.push(...page.documents.map((document) => document.status));
    cursor = page.next_cursor;
  } while (cursor !== null);
  return statuses;
}
