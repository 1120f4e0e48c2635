import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import { PayloadTooLargeError } from "../../errors.js";
import { answerQuery, type AnswerQueryDeps } from "../../answer/answer-query.js";
import type { Metrics } from "../../observability/metrics.js";
import type { AppEnv } from "../app-env.js";
import { documentIdSchema } from "../read-uploads.js";
import { queryJson } from "../serialize.js";
import { readJson } from "../validate.js";

const QUERY_BODY_MAX_BYTES = 64 * 1024;

const querySchema = z.strictObject({
  question: z.string().trim().min(1, "must not be empty").max(4000),
  top_k: z.number().int().min(1).optional(),
  min_score: z.number().min(-1).max(1).optional(),
  filter: z
    .strictObject({
      document_ids: z.array(documentIdSchema).min(1).max(1000).optional(),
      sources: z.array(z.string().min(1).max(512)).min(1).max(100).optional(),
    })
    .optional(),
  mode: z.enum(["answer", "retrieve"]).default("answer"),
  explain: z.boolean().default(false),
  stream: z.literal(false, { message: "streaming is not available yet" }).optional(),
});

/** `POST /v1/query`: hybrid retrieval plus a cited answer (or hits only with `mode: "retrieve"`). */
export function queryRoutes(deps: AnswerQueryDeps & { metrics: Metrics }): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const limitBody = bodyLimit({
    maxSize: QUERY_BODY_MAX_BYTES,
    onError: () => {
      throw new PayloadTooLargeError(`query body exceeds ${QUERY_BODY_MAX_BYTES} bytes`);
    },
  });

  routes.post("/", limitBody, async (context) => {
    const body = await readJson(context, querySchema);
    const started = performance.now();
    const result = await answerQuery(
      { ...deps, logger: context.get("logger") },
      {
        tenant: context.get("tenant"),
        question: body.question,
        topK: body.top_k,
        minScore: body.min_score,
        filter: body.filter ? { documentIds: body.filter.document_ids, sources: body.filter.sources } : undefined,
        mode: body.mode,
        signal: context.req.raw.signal,
      },
    );
    deps.metrics.queryDuration.observe({ mode: body.mode }, (performance.now() - started) / 1000);
    deps.metrics.retrievals.inc({ status: result.retrieval.status });
    context.header("X-Retrieval-Status", result.retrieval.status);
    return context.json(queryJson(result, { explain: body.explain }));
  });

  return routes;
}
