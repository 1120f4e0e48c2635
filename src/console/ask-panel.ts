import { describeError, streamQuery } from "./api.js";
import type { CitationJson, HitJson, RetrievalJson } from "./api-types.js";
import { citationItem } from "./citation-view.js";
import { el, labelled, replaceChildren } from "./dom.js";
import { explainView } from "./explain-view.js";
import { panelSection, statusLine, type Panel } from "./panel.js";

interface DoneJson {
  answer_status: string;
  answer: string | null;
  model: string | null;
  cached: boolean;
  degraded: boolean;
}

/**
 * The ask pane: the question goes to `POST /v1/query` with `stream: true`; the answer grows in an
 * `aria-live` region as `delta` events arrive, then each citation shows its source chunk with the
 * quoted range in `<mark>`, and the retrieval stages (with `explain`) below.
 */
export function askPanel(): Panel {
  const question = el("textarea", { id: "ask-question", rows: 3, required: true, maxlength: 4000 });
  const explain = el("input", { type: "checkbox", id: "ask-explain", checked: true });
  const submit = el("button", { type: "submit" }, ["Ask"]);
  const form = el("form", { class: "ask" }, [
    ...labelled("Question", question),
    el("div", { class: "inline" }, [explain, el("label", { for: "ask-explain" }, ["Explain the retrieval stages"])]),
    submit,
  ]);
  const status = statusLine();
  // role=log: text appended as it streams is announced politely, in order.
  const answer = el("div", { id: "answer", class: "answer", role: "log", "aria-live": "polite", "aria-atomic": "false", "aria-labelledby": "answer-heading" });
  const review = el("p", { class: "review-note", hidden: true });
  const citations = el("ol", { class: "citations", "aria-label": "Citations" });
  const stages = el("div", { class: "stages" });

  const ask = async () => {
    const text = question.value.trim();
    if (!text) return status.error("Type a question first.");
    submit.disabled = true;
    replaceChildren(answer);
    replaceChildren(citations);
    replaceChildren(stages);
    review.hidden = true;
    answer.setAttribute("aria-busy", "true");
    status.info("Asking…");
    let hits: HitJson[] = [];
    let streamed = false;
    try {
      await streamQuery({ question: text, explain: explain.checked }, (name, data) => {
        if (name === "retrieval") {
          const retrieval = data as RetrievalJson;
          hits = retrieval.hits;
          replaceChildren(stages, [el("h3", {}, ["Retrieval stages"]), explainView(retrieval)]);
        } else if (name === "delta") {
          streamed = true;
          answer.appendChild(document.createTextNode((data as { text: string }).text));
        } else if (name === "citations") {
          replaceChildren(
            citations,
            (data as { citations: CitationJson[] }).citations.map((citation) => citationItem(citation, hits)),
          );
        } else if (name === "review") {
          const verdict = data as { needed: boolean; score: number | null; reasons: unknown[] };
          review.hidden = !verdict.needed;
          replaceChildren(review, [`Flagged for review (score ${verdict.score ?? "—"}).`]);
        } else if (name === "done") {
          const done = data as DoneJson;
          if (!streamed && done.answer) answer.appendChild(document.createTextNode(done.answer));
          status.info(`${done.answer_status}${done.degraded ? " (degraded)" : ""} · model ${done.model ?? "—"}${done.cached ? " · cached" : ""}`);
        } else if (name === "error") {
          status.error(`The answer failed: ${(data as { error: { message: string } }).error.message}`);
        }
      });
    } catch (error) {
      status.error(`Could not ask: ${describeError(error)}`);
    } finally {
      answer.setAttribute("aria-busy", "false");
      submit.disabled = false;
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void ask();
  });

  return {
    id: "ask",
    label: "Ask",
    element: panelSection("ask", "Ask", [
      form,
      status.element,
      el("h3", { id: "answer-heading" }, ["Answer"]),
      answer,
      review,
      el("h3", {}, ["Citations"]),
      citations,
      stages,
    ]),
  };
}
