import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import { Presets, SingleBar } from "cli-progress";
import { type ApiClient, CliError, EXIT, readJson } from "./api-client.js";
import { collectFiles } from "./collect-files.js";

/** Files per upload request and bytes per request (the service's defaults allow 100 files and 50 MB). */
const MAX_FILES_PER_REQUEST = 50;
const MAX_BYTES_PER_REQUEST = 32 * 1024 * 1024;

interface UploadItem {
  index: number;
  name: string | null;
  status: "accepted" | "duplicate" | "updated" | "refused";
  id?: string | null;
  reason?: string;
}

interface BatchState {
  id: string;
  documents: { queued: number; processing: number; indexed: number; failed: number; superseded: number; deleted: number };
  done: boolean;
  indexed_chunks: number;
  failures: Array<{ name: string | null; document_id: string | null; stage: string; reason: string }>;
}

export interface IngestSummary {
  files: number;
  accepted: number;
  duplicate: number;
  updated: number;
  refused: number;
  batches: string[];
  indexed: number | null;
  /** Chunks of the indexed documents (with --wait). */
  chunks: number | null;
  failed: number | null;
  failures: Array<{ name: string; reason: string }>;
}

/** Groups files into requests under both limits (a file over the byte limit goes alone: the service judges it). */
async function groupFiles(files: string[]): Promise<string[][]> {
  const groups: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const size = (await stat(file)).size;
    if (current.length > 0 && (current.length >= MAX_FILES_PER_REQUEST || bytes + size > MAX_BYTES_PER_REQUEST)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function progressBar(enabled: boolean, format: string): SingleBar | null {
  if (!enabled) return null;
  return new SingleBar({ format, stream: process.stderr, etaBuffer: 20, hideCursor: true }, Presets.shades_classic);
}

/**
 * `ragline ingest <paths…>`: bulk multipart uploads, a progress bar (files, files/s, ETA) on a
 * terminal, then every refused file with its reason; `--wait` follows the batches until every
 * document is indexed or failed (documents/s, ETA) and adds the failures.
 */
export async function ingest(client: ApiClient, paths: string[], options: { wait: boolean; interactive: boolean; pollMs?: number }): Promise<IngestSummary> {
  const files = await collectFiles(paths);
  if (files.length === 0) throw new CliError("no files to ingest", EXIT.usage);
  const summary: IngestSummary = {
    files: files.length,
    accepted: 0,
    duplicate: 0,
    updated: 0,
    refused: 0,
    batches: [],
    indexed: null,
    chunks: null,
    failed: null,
    failures: [],
  };
  const bar = progressBar(options.interactive, "upload   [{bar}] {value}/{total} files | {speed} files/s | ETA {eta_formatted}");
  bar?.start(files.length, 0, { speed: "0" });
  const started = performance.now();
  let sent = 0;
  for (const group of await groupFiles(files)) {
    const form = new FormData();
    for (const file of group) form.append("file", new Blob([await readFile(file)]), basename(file));
    let items: UploadItem[] = [];
    try {
      const response = await client.send("POST", "/v1/documents", { body: form });
      const body = await readJson<{ batch_id?: string; documents?: UploadItem[] }>(response);
      if (body.batch_id) summary.batches.push(body.batch_id);
      items = body.documents ?? [];
    } catch (error) {
      if (!(error instanceof CliError) || (error.exitCode === EXIT.service && /cannot reach/.test(error.message))) throw error;
      // The whole request was refused (e.g. over the size limit): each of its files failed with that reason.
      items = group.map((file, index) => ({ index, name: basename(file), status: "refused" as const, reason: error.message }));
    }
    for (const item of items) {
      summary[item.status] += 1;
      if (item.status === "refused") summary.failures.push({ name: item.name ?? group[item.index] ?? "?", reason: item.reason ?? "refused" });
    }
    sent += group.length;
    bar?.update(sent, { speed: (sent / ((performance.now() - started) / 1000)).toFixed(1) });
  }
  bar?.stop();
  if (options.wait && summary.batches.length > 0) await follow(client, summary, options);
  return summary;
}

async function follow(client: ApiClient, summary: IngestSummary, options: { interactive: boolean; pollMs?: number }): Promise<void> {
  const expected = summary.accepted + summary.updated;
  const bar = progressBar(
    options.interactive && expected > 0,
    "index    [{bar}] {value}/{total} documents | {speed} docs/s | {chunkSpeed} chunks/s | ETA {eta_formatted}",
  );
  bar?.start(expected, 0, { speed: "0", chunkSpeed: "0" });
  const started = performance.now();
  let states: BatchState[] = [];
  for (;;) {
    states = await Promise.all(summary.batches.map((id) => client.json<BatchState>("GET", `/v1/batches/${encodeURIComponent(id)}`)));
    const settled = states.reduce((sum, state) => sum + state.documents.indexed + state.documents.failed, 0);
    const chunks = states.reduce((sum, state) => sum + state.indexed_chunks, 0);
    const seconds = (performance.now() - started) / 1000;
    bar?.update(Math.min(settled, expected), { speed: (settled / seconds).toFixed(1), chunkSpeed: (chunks / seconds).toFixed(0) });
    if (states.every((state) => state.done)) break;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
  bar?.stop();
  summary.indexed = states.reduce((sum, state) => sum + state.documents.indexed, 0);
  summary.chunks = states.reduce((sum, state) => sum + state.indexed_chunks, 0);
  summary.failed = states.reduce((sum, state) => sum + state.documents.failed, 0);
  for (const state of states) {
    for (const failure of state.failures)
      if (failure.stage === "ingest") summary.failures.push({ name: failure.name ?? failure.document_id ?? "?", reason: failure.reason });
  }
}
