/**
 * The web console (served at /console): a client of the HTTP API in plain TypeScript and DOM, built
 * by esbuild into static/console.js. Panes: upload, documents, ask (streamed answer, highlighted
 * citations, retrieval stages), jobs, reviews, usage. One pane shows at a time, chosen from a
 * navigation of buttons (or the URL hash, e.g. /console#ask).
 */
import { askPanel } from "./ask-panel.js";
import { documentsPanel } from "./documents-panel.js";
import { el } from "./dom.js";
import { jobsPanel } from "./jobs-panel.js";
import { keyForm } from "./key-form.js";
import type { Panel } from "./panel.js";
import { reviewsPanel } from "./reviews-panel.js";
import { uploadPanel } from "./upload-panel.js";
import { usagePanel } from "./usage-panel.js";

function start(root: HTMLElement): void {
  const documents = documentsPanel();
  const panels: Panel[] = [uploadPanel(() => void documents.reload()), documents, askPanel(), jobsPanel(), reviewsPanel(), usagePanel()];
  const buttons = new Map<string, HTMLButtonElement>();
  let current: Panel | undefined;

  const show = (panel: Panel, focus: boolean) => {
    current = panel;
    for (const other of panels) other.element.hidden = other !== panel;
    for (const [id, navButton] of buttons) {
      if (id === panel.id) navButton.setAttribute("aria-current", "page");
      else navButton.removeAttribute("aria-current");
    }
    if (location.hash !== `#${panel.id}`) history.replaceState(null, "", `#${panel.id}`);
    panel.onShow?.();
    if (focus) panel.element.querySelector("h2")?.focus();
  };

  const navigation = el("nav", { "aria-label": "Console" }, [
    el(
      "ul",
      {},
      panels.map((panel) => {
        const navButton = el("button", { type: "button", "aria-controls": panel.id }, [panel.label]);
        navButton.addEventListener("click", () => show(panel, true));
        buttons.set(panel.id, navButton);
        return el("li", {}, [navButton]);
      }),
    ),
  ]);
  const header = el("header", {}, [el("h1", {}, ["Ragline console"]), keyForm(() => current?.onShow?.()), navigation]);
  const main = el(
    "main",
    {},
    panels.map((panel) => panel.element),
  );
  root.append(header, main);
  const fromHash = () => panels.find((panel) => `#${panel.id}` === location.hash);
  // A link or the back button may change the fragment: show that pane.
  window.addEventListener("hashchange", () => {
    const panel = fromHash();
    if (panel && panel !== current) show(panel, true);
  });
  const initial = fromHash() ?? panels[0];
  if (initial) show(initial, false);
}

const root = document.getElementById("console");
if (root) start(root);
