import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { AppError, PayloadTooLargeError, UnsupportedMediaTypeError } from "../../core/errors.js";
import type { Metrics } from "../../observability/metrics.js";
import { answerQuery, type AnswerQueryDeps, type QueryInput, type QueryResult } from "../../use-cases/answer-query.js";
import type { Retrieval } from "../../use-cases/retrieve.js";
import type { AppEnv } from "../app-env.js";
import { validationHook } from "../openapi-hook.js";
import { errorEnvelopeSchema, errorResponses, jsonContent } from "../openapi-schemas.js";
import { queryRequestExample, queryResponseExample } from "../openapi-examples.js";
import { queryEventStreamSchema, queryRequestSchema, queryResponseSchema } from "../query-schemas.js";
import { limitBody, readBodyText, requestSignal } from "../request-body.js";
import { citationJson, queryJson, retrievalJson, usageJson } from "../serialize.js";
import type { ReviewRepository } from "../../ports/review-repository.js";
import { answerRecorder } from "./answer-recording.js";

const QUERY_BODY_MAX_BYTES = 64 * 1024;
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** Refuses a non-JSON body with our 415, then hands the validator the body read straight from the Node stream (see request-body.ts). */
const readJsonBody: MiddlewareHandler<AppEnv> = async (context, next) => {
  if (!JSON_MEDIA_TYPE.test(context.req.header("content-type") ?? "")) throw new UnsupportedMediaTypeError("send the query as application/json");
  // The validator reads c.req.json(), which takes the text from this cache (hono types the entry as Body["text"], it holds the promise).
  (context.req.bodyCache as { text?: Promise<string> }).text = readBodyText(context);
  await next();
};

const errorContent = (description: string) => ({ description, content: { "application/json": { schema: errorEnvelopeSchema } } });

const queryRoute = createRoute({
  method: "post",
  path: "/",
  tags: ["query"],
  summary: "Ask a question: hybrid retrieval plus a cited answer, or hits only (`mode: retrieve`)",
  middleware: [limitBody(QUERY_BODY_MAX_BYTES, () => new PayloadTooLargeError(`query body exceeds ${QUERY_BODY_MAX_BYTES} bytes`)), readJsonBody] as const,
  request: { body: { required: true, content: jsonContent(queryRequestSchema, queryRequestExample) } },
  responses: {
    200: {
      description: "The answer with its citations and the retrieval it came from (`degraded` when answered without the documents)",
      headers: { "X-Retrieval-Status": { schema: { type: "string", enum: ["ok", "empty", "unavailable"] } } },
      content: { ...jsonContent(queryResponseSchema, queryResponseExample), "text/event-stream": { schema: queryEventStreamSchema } },
    },
    ...errorResponses(401, 502, 503, 504),
    400: errorContent("Invalid body or thresholds out of the configured bounds: `details.issues` names each field path"),
    413: errorContent("Body over 64 KiB, refused before it is read"),
    415: errorContent("Body is not application/json"),
  },
});

/**
 * `POST /v1/query`: hybrid retrieval plus a cited answer (or hits only with `mode: "retrieve"`).
 * With `stream: true` the answer comes as Server-Sent Events: `retrieval`, `delta`…, `citations`,
 * `usage`, `done`; a failure after the stream started ends it with an `error` event. A body over
 * 64 KiB is a 413 before it is read.
 */
export function queryRoutes(deps: AnswerQueryDeps & { metrics: Metrics; reviews?: ReviewRepository }): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  routes.openapi(queryRoute, async (context) => {
    const body = context.req.valid("json");
    const started = performance.now();
    const queryDeps = { ...deps, logger: context.get("logger") };
    const input: QueryInput = {
      tenant: context.get("tenant"),
      keyId: context.get("principal")?.keyId,
      question: body.question,
      topK: body.top_k,
      minScore: body.min_score,
      filter: body.filter ? { documentIds: body.filter.document_ids, sources: body.filter.sources } : undefined,
      mode: body.mode,
      signal: requestSignal(context),
    };
    const onRetrieval = (retrieval: Retrieval) => {
      deps.metrics.retrievals.inc({ status: retrieval.status });
      context.header("X-Retrieval-Status", retrieval.status);
    };
    // Answer mode: each answer is recorded (`answer_id`), a flagged one queued for review.
    const recorder = answerRecorder(deps.reviews, context, { ...input, mode: body.mode });
    const finish = (result: QueryResult) => {
      deps.metrics.queryDuration.observe({ mode: body.mode }, (performance.now() - started) / 1000);
      recordAnswer(deps.metrics, context, result, performance.now() - started);
    };

    if (!body.stream) {
      const result = await answerQuery(queryDeps, input, { onRetrieval });
      finish(result);
      const answerId = await recorder.record(result);
      return context.json({ ...queryJson(result, { explain: body.explain }), ...(body.mode === "answer" ? { answer_id: answerId } : {}) }, 200);
    }

    const { retrieval, events } = await answerQuery(queryDeps, input, { stream: true, onRetrieval });
    return streamSSE(context, async (stream) => {
      await stream.writeSSE({ event: "retrieval", data: JSON.stringify(retrievalJson(retrieval, { explain: body.explain })) });
      let answerId: string | null = null;
      try {
        for await (const event of events) {
          if (event.type === "delta") {
            await stream.writeSSE({ event: "delta", data: JSON.stringify({ text: event.text }) });
            continue;
          }
          if (event.type === "review") {
            const review = { needed: event.review.needed, score: event.review.score, reasons: event.review.reasons, judge_version: event.judgeVersion };
            await stream.writeSSE({ event: "review", data: JSON.stringify(review) });
            if (answerId) await recorder.attach(answerId, event.review, event.judgeVersion);
            continue;
          }
          const result = event.result;
          finish(result);
          answerId = await recorder.record(result);
          await stream.writeSSE({ event: "citations", data: JSON.stringify({ citations: result.citations.map(citationJson) }) });
          await stream.writeSSE({ event: "usage", data: JSON.stringify(usageJson(result)) });
          const done = {
            answer_status: result.answerStatus,
            answer: result.answer,
            prompt_version: result.promptVersion,
            model: result.model,
            cached: result.cached,
            degraded: result.degraded,
            ...(body.mode === "answer" ? { answer_id: answerId } : {}),
            judge_version: result.judgeVersion,
            examples: result.examples,
          };
          await stream.writeSSE({ event: "done", data: JSON.stringify(done) });
        }
      } catch (error) {
        await writeError(stream, context, error);
      }
    });
  });

  return routes;
}

function recordAnswer(metrics: Metrics, context: Context<AppEnv>, result: QueryResult, milliseconds: number): void {
  const promptVersion = result.promptVersion ?? "none";
  const outcome = result.cached ? "cached" : result.degraded ? "degraded" : "ok";
  metrics.answers.inc({ path: result.retrieval.status === "unavailable" ? "no_retrieval" : "retrieval", outcome, prompt_version: promptVersion });
  context.get("logger")?.info(
    {
      prompt_version: promptVersion,
      model: result.model,
      tenant: context.get("tenant"),
      retrieval_status: result.retrieval.status,
      cached: result.cached,
      degraded: result.degraded,
      input_tokens: result.usage.inputTokens,
      output_tokens: result.usage.outputTokens,
      cached_tokens: result.usage.cachedTokens,
      cost_usd: result.usage.costUsd,
      latency_ms: Math.round(milliseconds),
      ...(result.review ? { review_needed: result.review.needed, review_score: result.review.score, judge_version: result.judgeVersion } : {}),
      ...(result.examples.length > 0 ? { examples: result.examples } : {}),
    },
    "query answered",
  );
}

/** The stream's last event when something fails after the headers went out: the same code/message a JSON error would carry. */
async function writeError(stream: SSEStreamingApi, context: Context<AppEnv>, error: unknown): Promise<void> {
  const requestId = context.get("requestId") ?? null;
  const known = error instanceof AppError;
  if (!known) context.get("logger")?.error({ err: error, requestId }, "query stream failed");
  else context.get("logger")?.warn({ code: error.code, requestId }, "query stream ended with an error");
  const body = known
    ? {
        code: error.code,
        message: error.message,
        status: error.status,
        ...(error.retryAfterSeconds !== undefined ? { retry_after_seconds: Math.ceil(error.retryAfterSeconds) } : {}),
      }
    : { code: "internal_error", message: "internal server error", status: 500 };
  await stream.writeSSE({ event: "error", data: JSON.stringify({ error: body, request_id: requestId }) });
}
