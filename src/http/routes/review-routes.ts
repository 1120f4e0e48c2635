import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { PayloadTooLargeError } from "../../core/errors.js";
import type { ReviewRepository } from "../../ports/review-repository.js";
import { decideReview, listReviews } from "../../use-cases/reviews/review-queue.js";
import type { QuestionEmbedder } from "../../use-cases/reviews/review-state.js";
import type { AppEnv } from "../app-env.js";
import { validationHook } from "../openapi-hook.js";
import { errorResponses, jsonContent } from "../openapi-schemas.js";
import { limitBody } from "../request-body.js";
import { decideReviewSchema, reviewJson, reviewListQuerySchema, reviewPageSchema, reviewSchema } from "../review-schemas.js";

/** A review decision or feedback body: a correction of up to 16,000 characters with a comment fits. */
export const REVIEW_BODY_MAX_BYTES = 64 * 1024;

/** Dependencies of the review and feedback routes. */
export interface ReviewRouteDeps {
  reviews: ReviewRepository;
  /** The query embedder (through its cache): embeds the question of every new example. */
  questionEmbedder: QuestionEmbedder;
}

/**
 * `/v1/reviews` (scope `review`; listing also `admin`), the tenant of the key: the queue of answers
 * the judge flagged and corrections awaiting a reviewer, and one decision per review
 * (approve | reject | correct; see decideReview).
 */
export function reviewRoutes(deps: ReviewRouteDeps): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const useCaseDeps = { reviews: deps.reviews, embedder: deps.questionEmbedder };

  const list = createRoute({
    method: "get",
    path: "/",
    tags: ["reviews"],
    summary: "The review queue of your tenant, newest first, optionally in one state, page by page (scope review or admin)",
    request: { query: reviewListQuerySchema },
    responses: { 200: { description: "One page of reviews", content: jsonContent(reviewPageSchema) }, ...errorResponses(400, 401, 403) },
  });
  routes.openapi(list, async (context) => {
    const query = context.req.valid("query");
    const page = await listReviews(useCaseDeps, { tenant: context.get("tenant"), state: query.state, limit: query.limit, cursor: query.cursor });
    return context.json({ reviews: page.reviews.map(reviewJson), next_cursor: page.nextCursor }, 200);
  });

  const decide = createRoute({
    method: "post",
    path: "/{id}",
    tags: ["reviews"],
    summary: "Approve, reject or correct a pending review; approve and correct create a few-shot example (scope review)",
    middleware: [limitBody(REVIEW_BODY_MAX_BYTES, () => new PayloadTooLargeError(`review body exceeds ${REVIEW_BODY_MAX_BYTES} bytes`))] as const,
    request: { params: z.object({ id: z.string().min(1).max(128) }), body: { required: true, content: jsonContent(decideReviewSchema) } },
    responses: {
      200: { description: "The decided review", content: jsonContent(reviewSchema) },
      ...errorResponses(400, 401, 403, 404, 409, 413),
    },
  });
  routes.openapi(decide, async (context) => {
    const body = context.req.valid("json");
    const review = await decideReview(useCaseDeps, {
      tenant: context.get("tenant"),
      reviewId: context.req.valid("param").id,
      action: body.action,
      correctedAnswer: body.corrected_answer,
      comment: body.comment,
      decidedBy: context.get("principal").keyId,
    });
    context.get("logger").info({ reviewId: review.id, state: review.state, exampleId: review.exampleId, by: review.decidedBy }, "review decided");
    return context.json(reviewJson(review), 200);
  });

  return routes;
}
