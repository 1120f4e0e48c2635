import { ApiError, describeError, requestJson } from "./api.js";
import type { ReviewJson } from "./api-types.js";
import { button, el, labelled, replaceChildren } from "./dom.js";
import { loader, pagedList, panelSection, queryString, statusLine, type Panel } from "./panel.js";

type ReviewAction = { action: "approve" | "reject" } | { action: "correct"; corrected_answer: string; comment?: string };

/** A reason as text (the judge may give strings or objects). */
const reasonText = (reason: unknown) => (typeof reason === "string" ? reason : JSON.stringify(reason));

/**
 * The reviews pane: answers the grounding judge flagged (`GET /v1/reviews?state=pending`), each with
 * its question, answer, citations, score and reasons, to approve, reject or correct (`POST
 * /v1/reviews/{id}`). A server without the reviews API (404 on the list) shows "not available".
 */
export function reviewsPanel(): Panel {
  const reviews = pagedList(async (cursor) => {
    const page = await requestJson<{ reviews: ReviewJson[]; next_cursor: string | null }>("GET", `/v1/reviews${queryString({ state: "pending", cursor })}`);
    return { items: page.reviews, nextCursor: page.next_cursor };
  });
  const status = statusLine();
  const content = el("div");
  const more = button("Load more", () => run(() => reviews.loadMore()), { hidden: true });

  const decide = async (review: ReviewJson, body: ReviewAction) => {
    try {
      await requestJson("POST", `/v1/reviews/${encodeURIComponent(review.id)}`, body);
      reviews.remove((item) => item.id === review.id);
      status.info(`Review ${review.id}: ${body.action} recorded.`);
      render();
    } catch (error) {
      status.error(`Could not ${body.action} ${review.id}: ${describeError(error)}`);
    }
  };

  const reviewCard = (review: ReviewJson) => {
    const corrected = el("textarea", { id: `correct-${review.id}`, rows: 3 });
    corrected.value = review.corrected_answer ?? review.answer;
    const comment = el("input", { type: "text", id: `comment-${review.id}` });
    return el("article", { class: "review", "aria-label": `Review ${review.id}` }, [
      el("h3", {}, [review.question]),
      el("p", { class: "answer-text" }, [review.answer]),
      el(
        "ul",
        { class: "review-citations", "aria-label": "Citations" },
        review.citations.map((citation) => el("li", {}, [`[${citation.n ?? "?"}] ${citation.snippet ?? citation.document_id ?? ""}`])),
      ),
      el("p", {}, [`Score ${review.score ?? "—"} · judge ${review.judge_version ?? "—"} · prompt ${review.prompt_version ?? "—"} · ${review.created_at}`]),
      el(
        "ul",
        { class: "reasons", "aria-label": "Reasons" },
        review.reasons.map((reason) => el("li", {}, [reasonText(reason)])),
      ),
      el("div", { class: "actions" }, [
        button("Approve", () => decide(review, { action: "approve" })),
        button("Reject", () => decide(review, { action: "reject" })),
      ]),
      el("div", { class: "correction" }, [
        ...labelled("Corrected answer", corrected),
        ...labelled("Comment", comment),
        button("Save correction", () => {
          if (!corrected.value.trim()) return status.error("A correction needs the corrected answer.");
          return decide(review, { action: "correct", corrected_answer: corrected.value, ...(comment.value.trim() ? { comment: comment.value.trim() } : {}) });
        }),
      ]),
    ]);
  };

  const render = () => {
    replaceChildren(content, reviews.items.length ? reviews.items.map(reviewCard) : [el("p", { class: "empty" }, ["No pending reviews."])]);
    more.hidden = !reviews.hasMore;
  };
  const run = loader(
    status,
    () => render(),
    "list reviews",
    (error) => {
      if (!(error instanceof ApiError && error.status === 404)) return false;
      replaceChildren(content);
      more.hidden = true;
      status.info("Reviews are not available on this server.");
      return true;
    },
  );
  const reload = () => run(() => reviews.reload());
  return {
    id: "reviews",
    label: "Reviews",
    element: panelSection("reviews", "Reviews", [el("div", { class: "filters" }, [button("Refresh", reload)]), status.element, content, more]),
    onShow: reload,
  };
}
