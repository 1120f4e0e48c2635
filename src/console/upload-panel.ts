import { describeError, requestJson, uploadFile } from "./api.js";
import type { DocumentJson, UploadItemJson } from "./api-types.js";
import { el, replaceChildren } from "./dom.js";
import { panelSection, statusLine, type Panel } from "./panel.js";

const PARALLEL_UPLOADS = 3;
const POLL_INTERVAL_MS = 500;
const POLL_LIMIT_MS = 5 * 60 * 1000;

/** One file's row: name, progress bar and outcome text. */
function fileRow(file: File) {
  const progress = el("progress", { max: 1, value: 0, "aria-label": `Upload progress of ${file.name}` });
  const outcome = el("span", { class: "outcome" }, ["waiting"]);
  const element = el("li", { class: "file" }, [el("span", { class: "file-name" }, [file.name]), progress, outcome]);
  return {
    element,
    progress(share: number) {
      progress.value = share;
    },
    state(text: string, kind: "info" | "error" | "done" = "info") {
      element.dataset.state = kind;
      replaceChildren(outcome, [text]);
    },
  };
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Follows a document until it is indexed or failed (or the poll limit passes). */
async function followDocument(id: string, row: ReturnType<typeof fileRow>): Promise<void> {
  const deadline = Date.now() + POLL_LIMIT_MS;
  while (Date.now() < deadline) {
    const document = await requestJson<DocumentJson>("GET", `/v1/documents/${encodeURIComponent(id)}`);
    if (document.status === "indexed") return row.state(`indexed (${document.chunk_count} chunks)`, "done");
    if (document.status === "failed") return row.state(`failed: ${document.error ?? "unknown error"}`, "error");
    row.state(document.status);
    await sleep(POLL_INTERVAL_MS);
  }
  row.state("still not indexed: see Documents and Jobs", "error");
}

/** Uploads one file and reports its outcome in its row: the per-item result, the refusal reason or the HTTP error. */
async function uploadOne(file: File, row: ReturnType<typeof fileRow>): Promise<void> {
  row.state("uploading");
  try {
    const { status, body } = await uploadFile(file, (share) => row.progress(share));
    row.progress(1);
    const item = (body as { documents?: UploadItemJson[] } | null)?.documents?.[0];
    if (status >= 400 || !item) {
      const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${status}`;
      return row.state(`refused: ${message} (HTTP ${status})`, "error");
    }
    if (item.status === "refused") return row.state(`refused: ${item.reason ?? "no reason given"}`, "error");
    if (item.status === "duplicate") return row.state("already uploaded (duplicate)", "done");
    if (item.id) await followDocument(item.id, row);
  } catch (error) {
    row.state(`error: ${describeError(error)}`, "error");
  }
}

/**
 * The upload pane: files dropped on it or chosen with the picker are uploaded one request each (so
 * each has its own progress bar and its own result), at most three at a time, then followed until
 * indexed or failed. `onUploaded` runs when a set of files is settled (e.g. to reload the documents list).
 */
export function uploadPanel(onUploaded: () => void): Panel {
  const input = el("input", { type: "file", id: "upload-files", multiple: true });
  const zone = el("div", { class: "drop-zone", "data-testid": "drop-zone" }, [
    el("p", {}, ["Drop files here, or "]),
    el("label", { for: "upload-files", class: "file-picker" }, ["choose files"]),
    input,
  ]);
  const list = el("ul", { class: "files", "aria-label": "Uploads" });
  const status = statusLine();

  const uploadAll = async (files: File[]) => {
    if (files.length === 0) return;
    const rows = files.map((file) => ({ file, row: fileRow(file) }));
    // Newest set first, each set in the order it was chosen.
    for (const { row } of [...rows].reverse()) list.prepend(row.element);
    status.info(`Uploading ${files.length} file(s)…`);
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const entry = rows[next++];
        if (entry) await uploadOne(entry.file, entry.row);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, rows.length) }, worker));
    const failed = rows.filter(({ row }) => row.element.dataset.state === "error").length;
    status.info(`${files.length - failed} of ${files.length} file(s) uploaded${failed ? `, ${failed} with errors` : ""}.`);
    onUploaded();
  };

  input.addEventListener("change", () => {
    void uploadAll(Array.from(input.files ?? []));
    input.value = "";
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    void uploadAll(Array.from(event.dataTransfer?.files ?? []));
  });

  return { id: "upload", label: "Upload", element: panelSection("upload", "Upload documents", [zone, status.element, list]) };
}
