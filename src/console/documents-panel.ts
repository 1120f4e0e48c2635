import { describeError, requestJson } from "./api.js";
import type { DocumentJson } from "./api-types.js";
import { button, el, labelled, replaceChildren, table } from "./dom.js";
import { loader, pagedList, panelSection, queryString, statusLine, type Panel } from "./panel.js";

const PAGE_SIZE = 100;

/** Whether a document passes the status and text filters (text: case-insensitive, in title, source or id). */
export function documentMatches(document: DocumentJson, filter: { status: string; text: string }): boolean {
  if (filter.status && document.status !== filter.status) return false;
  const text = filter.text.trim().toLowerCase();
  return !text || [document.title, document.source, document.id].some((field) => field.toLowerCase().includes(text));
}

/**
 * The documents pane: the tenant's documents with their status, filtered by status and text over
 * the pages loaded so far (the list API pages by cursor and has no filters; "Load more" fetches the
 * next page), and a delete button per document.
 */
export function documentsPanel(): Panel & { reload(): Promise<void> } {
  const documents = pagedList(async (cursor) => {
    const page = await requestJson<{ documents: DocumentJson[]; next_cursor: string | null }>(
      "GET",
      `/v1/documents${queryString({ limit: PAGE_SIZE, cursor })}`,
    );
    return { items: page.documents, nextCursor: page.next_cursor };
  });
  const statusFilter = el("select", { id: "documents-status" }, [
    el("option", { value: "" }, ["any"]),
    ...["queued", "processing", "indexed", "failed"].map((status) => el("option", { value: status }, [status])),
  ]);
  const textFilter = el("input", { type: "search", id: "documents-text", placeholder: "title, source or id" });
  const status = statusLine();
  const content = el("div");
  const more = button("Load more", () => run(() => documents.loadMore()), { hidden: true });

  const remove = async (document: DocumentJson) => {
    if (!window.confirm(`Delete “${document.title || document.id}”?`)) return;
    try {
      await requestJson("DELETE", `/v1/documents/${encodeURIComponent(document.id)}`);
      documents.remove((item) => item.id === document.id);
      status.info(`Deleted ${document.title || document.id}.`);
      render();
    } catch (error) {
      status.error(`Could not delete: ${describeError(error)}`);
    }
  };

  const render = () => {
    const filter = { status: statusFilter.value, text: textFilter.value };
    const shown = documents.items.filter((document) => documentMatches(document, filter));
    replaceChildren(content, [
      table(
        `${shown.length} of ${documents.items.length} loaded document(s)`,
        [
          { header: "Title", cell: (document) => document.title || "(untitled)" },
          { header: "Source", cell: (document) => document.source },
          { header: "Status", cell: (document) => el("span", { class: `badge ${document.status}` }, [document.status]) },
          { header: "Chunks", cell: (document) => String(document.chunk_count) },
          { header: "Error", cell: (document) => document.error ?? "" },
          { header: "Updated", cell: (document) => document.updated_at },
          { header: "Actions", cell: (document) => button("Delete", () => remove(document), { "aria-label": `Delete ${document.title || document.id}` }) },
        ],
        shown,
        documents.items.length ? "No document matches the filters." : "No documents yet: upload some.",
      ),
    ]);
    more.hidden = !documents.hasMore;
  };

  const run = loader(status, () => render(), "list documents");
  const reload = () => run(() => documents.reload());

  statusFilter.addEventListener("change", render);
  textFilter.addEventListener("input", render);
  const filters = el("div", { class: "filters", role: "group", "aria-label": "Filters" }, [
    ...labelled("Status", statusFilter),
    ...labelled("Text", textFilter),
    button("Refresh", reload),
  ]);
  return {
    id: "documents",
    label: "Documents",
    element: panelSection("documents", "Documents", [filters, status.element, content, more]),
    onShow: reload,
    reload,
  };
}
