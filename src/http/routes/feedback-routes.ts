import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { PayloadTooLargeError } from "../../core/errors.js";
import { deleteFeedback, submitFeedback } from "../../use-cases/reviews/answer-feedback.js";
import type { AppEnv } from "../app-env.js";
import { validationHook } from "../openapi-hook.js";
import { errorResponses, jsonContent } from "../openapi-schemas.js";
import { limitBody } from "../request-body.js";
import { deletedFeedbackSchema, feedbackBodySchema, feedbackJson, feedbackSchema } from "../review-schemas.js";
import { REVIEW_BODY_MAX_BYTES, type ReviewRouteDeps } from "./review-routes.js";

const idParamsSchema = z.object({ id: z.string().min(1).max(128) });

/**
 * Mounted at `/v1` (scope `write` or `review`): `POST /answers/{id}/feedback` rates one of the
 * tenant's answers, optionally with a correction (see submitFeedback for when it becomes an example);
 * `DELETE /feedback/{id}` removes feedback and the example made from it from every future prompt.
 */
export function feedbackRoutes(deps: ReviewRouteDeps): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const useCaseDeps = { reviews: deps.reviews, embedder: deps.questionEmbedder };

  const submit = createRoute({
    method: "post",
    path: "/answers/{id}/feedback",
    tags: ["reviews"],
    summary: "Rate an answer (its answer_id), optionally with the corrected answer (scope write or review)",
    middleware: [limitBody(REVIEW_BODY_MAX_BYTES, () => new PayloadTooLargeError(`feedback body exceeds ${REVIEW_BODY_MAX_BYTES} bytes`))] as const,
    request: { params: idParamsSchema, body: { required: true, content: jsonContent(feedbackBodySchema) } },
    responses: {
      201: { description: "Stored, with the review it opened or the example it became", content: jsonContent(feedbackSchema) },
      ...errorResponses(400, 401, 403, 404, 413),
    },
  });
  routes.openapi(submit, async (context) => {
    const body = context.req.valid("json");
    const principal = context.get("principal");
    const submitted = await submitFeedback(useCaseDeps, {
      tenant: context.get("tenant"),
      keyId: principal.keyId,
      reviewer: principal.scopes.has("review"),
      answerId: context.req.valid("param").id,
      rating: body.rating,
      correctedAnswer: body.corrected_answer,
      comment: body.comment,
    });
    return context.json(feedbackJson(submitted.feedback, submitted), 201);
  });

  const remove = createRoute({
    method: "delete",
    path: "/feedback/{id}",
    tags: ["reviews"],
    summary: "Delete feedback: the example made from it leaves every future prompt (scope review, or the key that gave it)",
    request: { params: idParamsSchema },
    responses: { 200: { description: "Deleted", content: jsonContent(deletedFeedbackSchema) }, ...errorResponses(400, 401, 403, 404) },
  });
  routes.openapi(remove, async (context) => {
    const principal = context.get("principal");
    const id = context.req.valid("param").id;
    const deleted = await deleteFeedback(useCaseDeps, {
      tenant: context.get("tenant"),
      keyId: principal.keyId,
      reviewer: principal.scopes.has("review"),
      feedbackId: id,
    });
    context.get("logger").info({ feedbackId: id, exampleRemoved: deleted.exampleRemoved, by: principal.keyId }, "feedback deleted");
    return context.json({ id, example_removed: deleted.exampleRemoved, reviews_closed: deleted.reviewsClosed }, 200);
  });

  return routes;
}
