import { Hono, type Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { z } from "zod";
import { AppError, PayloadTooLargeError } from "../../core/errors.js";
import { answerRetrieved, retrieveForQuery, streamRetrieved, type AnswerQueryDeps, type QueryInput, type QueryResult } from "../../use-cases/answer-query.js";
import type { Metrics } from "../../observability/metrics.js";
import type { AppEnv } from "../app-env.js";
import { documentIdSchema } from "../read-uploads.js";
import { citationJson, queryJson, retrievalJson, usageJson } from "../serialize.js";
import { limitBody, requestSignal } from "../request-body.js";
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
  stream: z.boolean().default(false),
});

/**
 * `POST /v1/query`: hybrid retrieval plus a cited answer (or hits only with `mode: "retrieve"`).
 * With `stream: true` the answer comes as Server-Sent Events: `retrieval`, `delta`…, `citations`,
 * `usage`, `done`; a failure after the stream started ends it with an `error` event.
 */
export function queryRoutes(deps: AnswerQueryDeps & { metrics: Metrics }): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const limitQueryBody = limitBody(QUERY_BODY_MAX_BYTES, () => new PayloadTooLargeError(`query body exceeds ${QUERY_BODY_MAX_BYTES} bytes`));

  routes.post("/", limitQueryBody, async (context) => {
    const body = await readJson(context, querySchema);
    const started = performance.now();
    const queryDeps = { ...deps, logger: context.get("logger") };
    const input: QueryInput = {
      tenant: context.get("tenant"),
      question: body.question,
      topK: body.top_k,
      minScore: body.min_score,
      filter: body.filter ? { documentIds: body.filter.document_ids, sources: body.filter.sources } : undefined,
      mode: body.mode,
      signal: requestSignal(context),
    };
    const retrieval = await retrieveForQuery(queryDeps, input);
    deps.metrics.retrievals.inc({ status: retrieval.status });
    context.header("X-Retrieval-Status", retrieval.status);
    const finish = (result: QueryResult) => {
      deps.metrics.queryDuration.observe({ mode: body.mode }, (performance.now() - started) / 1000);
      recordAnswer(deps.metrics, context, result, performance.now() - started);
    };

    if (!body.stream) {
      const result = await answerRetrieved(queryDeps, input, retrieval);
      finish(result);
      return context.json(queryJson(result, { explain: body.explain }));
    }

    return streamSSE(context, async (stream) => {
      await stream.writeSSE({ event: "retrieval", data: JSON.stringify(retrievalJson(retrieval, { explain: body.explain })) });
      try {
        for await (const event of streamRetrieved(queryDeps, input, retrieval)) {
          if (event.type === "delta") {
            await stream.writeSSE({ event: "delta", data: JSON.stringify({ text: event.text }) });
            continue;
          }
          const result = event.result;
          finish(result);
          await stream.writeSSE({ event: "citations", data: JSON.stringify({ citations: result.citations.map(citationJson) }) });
          await stream.writeSSE({ event: "usage", data: JSON.stringify(usageJson(result)) });
          const done = { answer: result.answer, prompt_version: result.promptVersion, model: result.model, cached: result.cached, degraded: result.degraded };
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
