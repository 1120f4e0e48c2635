import { describeError, requestJson } from "./api.js";
import type { JobJson } from "./api-types.js";
import { button, el, labelled, replaceChildren, table } from "./dom.js";
import { loader, pagedList, panelSection, queryString, statusLine, type Panel } from "./panel.js";

/** The jobs pane: the tenant's ingest jobs in one state (failed by default: the dead letters), each failed one with a Retry button. */
export function jobsPanel(): Panel {
  const state = el(
    "select",
    { id: "jobs-state" },
    ["failed", "queued", "active", "completed"].map((value) => el("option", { value }, [value])),
  );
  const jobs = pagedList(async (cursor) => {
    const page = await requestJson<{ jobs: JobJson[]; next_cursor: string | null }>("GET", `/v1/jobs${queryString({ state: state.value, limit: 50, cursor })}`);
    return { items: page.jobs, nextCursor: page.next_cursor };
  });
  const status = statusLine();
  const content = el("div");
  const more = button("Load more", () => run(() => jobs.loadMore()), { hidden: true });

  const retry = async (job: JobJson) => {
    try {
      await requestJson("POST", `/v1/jobs/${encodeURIComponent(job.id)}/retry`);
      jobs.remove((item) => item.id === job.id);
      status.info(`Job ${job.id} queued again.`);
      render();
    } catch (error) {
      status.error(`Could not retry ${job.id}: ${describeError(error)}`);
    }
  };

  const render = () => {
    replaceChildren(content, [
      table(
        `${state.value} jobs`,
        [
          { header: "Job", cell: (job) => el("code", {}, [job.id]) },
          { header: "Document", cell: (job) => job.document_id },
          { header: "Attempts", cell: (job) => `${job.attempts} / ${job.max_attempts}` },
          { header: "Error", cell: (job) => job.error ?? "" },
          { header: "Updated", cell: (job) => job.updated_at },
          { header: "Actions", cell: (job) => (job.state === "failed" ? button("Retry", () => retry(job), { "aria-label": `Retry job ${job.id}` }) : "") },
        ],
        jobs.items,
        `No ${state.value} jobs.`,
      ),
    ]);
    more.hidden = !jobs.hasMore;
  };
  const run = loader(status, () => render(), "list jobs");
  const reload = () => run(() => jobs.reload());
  state.addEventListener("change", reload);

  const controls = el("div", { class: "filters" }, [...labelled("State", state), button("Refresh", reload)]);
  return { id: "jobs", label: "Jobs", element: panelSection("jobs", "Ingest jobs", [controls, status.element, content, more]), onShow: reload };
}
