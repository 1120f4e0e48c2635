import { describeError, requestJson } from "./api.js";
import type { UsageTotalsJson } from "./api-types.js";
import { button, el, formatNumber, labelled, replaceChildren, table, type Column } from "./dom.js";
import { panelSection, queryString, statusLine, type Panel } from "./panel.js";

const GROUPINGS = ["day,model", "day", "model", "model,prompt_version"];

/** The usage pane: model calls, tokens and cost of the last 30 days, summed by day and model (or another grouping). */
export function usagePanel(): Panel {
  const grouping = el(
    "select",
    { id: "usage-group" },
    GROUPINGS.map((value) => el("option", { value }, [value.replace(",", " and ")])),
  );
  const status = statusLine();
  const content = el("div");

  const reload = async () => {
    try {
      const usage = await requestJson<{ from: string; to: string; group_by: string[]; totals: UsageTotalsJson[] }>(
        "GET",
        `/v1/usage${queryString({ group_by: grouping.value })}`,
      );
      const groupColumns: Column<UsageTotalsJson>[] = usage.group_by.map((name) => ({ header: name, cell: (row) => row.group[name] ?? "—" }));
      replaceChildren(content, [
        table(
          `Usage from ${usage.from} to ${usage.to}`,
          [
            ...groupColumns,
            { header: "Calls", cell: (row) => String(row.calls) },
            { header: "Failed", cell: (row) => String(row.failed_calls) },
            { header: "Input tokens", cell: (row) => String(row.input_tokens) },
            { header: "Output tokens", cell: (row) => String(row.output_tokens) },
            { header: "Cached tokens", cell: (row) => String(row.cached_tokens) },
            { header: "Cost (USD)", cell: (row) => formatNumber(row.cost_usd, 4) },
          ],
          usage.totals,
          "No model calls in the last 30 days.",
        ),
      ]);
      status.info("");
    } catch (error) {
      status.error(`Could not read usage: ${describeError(error)}`);
    }
  };
  grouping.addEventListener("change", () => void reload());
  const controls = el("div", { class: "filters" }, [...labelled("Group by", grouping), button("Refresh", reload)]);
  return { id: "usage", label: "Usage", element: panelSection("usage", "Usage", [controls, status.element, content]), onShow: () => void reload() };
}
