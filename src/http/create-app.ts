import { OpenAPIHono } from "@hono/zod-openapi";
import type { AnswerQueryDeps } from "../use-cases/answer-query.js";
import type { Answerer } from "../ports/answerer.js";
import type { GroundingJudge } from "../ports/grounding-judge.js";
import type { AnswerExampleSource } from "../ports/answer-examples.js";
import type { Config } from "../config/schema.js";
import type { DocumentRepository, BlobStore } from "../ports/document-repository.js";
import type { IngestJobData } from "../use-cases/ingest-job.js";
import type { KeyedLock } from "../core/keyed-lock.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { VectorStore } from "../ports/vector-store.js";
import type { EmbeddingCache } from "../use-cases/embedding-cache.js";
import type { RerankStageSettings } from "../use-cases/rerank-stage.js";
import type { RetrievalSettingsProvider } from "../config/reloadable-settings.js";
import { NotFoundError } from "../core/errors.js";
import type { AppEnv } from "./app-env.js";
import { authenticate, readOrWrite, requireKeyWithScope, requireScope } from "./authenticate.js";
import { keyRoutes } from "./routes/key-routes.js";
import { limitConcurrentUploads, limitRequests, requireTokenBudget } from "./rate-limit.js";
import type { RateLimiter } from "../ports/rate-limiter.js";
import type { UsageLedger } from "../ports/usage-ledger.js";
import { usageRoutes } from "./routes/usage-routes.js";
import { serveApiDocs } from "./api-docs.js";
import { serveConsole } from "./console/serve-console.js";
import { createKeyAuthenticator } from "../use-cases/api-keys.js";
import type { ApiKeyStore } from "../ports/api-key-store.js";
import { handleError } from "./error-handler.js";
import { validationHook } from "./openapi-hook.js";
import { serveOpenApiDocument } from "./openapi-document.js";
import { requestContext } from "./request-context.js";
import { traceRequests } from "./trace-requests.js";
import { noopTracer, type Tracer } from "../ports/tracer.js";
import { documentRoutes } from "./routes/document-routes.js";
import { healthRoutes, type ReadinessCheck } from "./routes/health-routes.js";
import { jobRoutes } from "./routes/job-routes.js";
import { batchRoutes } from "./routes/batch-routes.js";
import { queryRoutes } from "./routes/query-routes.js";
import { reviewRoutes } from "./routes/review-routes.js";
import { feedbackRoutes } from "./routes/feedback-routes.js";
import type { ReviewRepository } from "../ports/review-repository.js";

export interface AppDeps {
  config: Config;
  retrievalSettings: RetrievalSettingsProvider;
  documents: DocumentRepository;
  blobs: BlobStore;
  queue: JobQueue<IngestJobData>;
  store: VectorStore;
  embeddings: EmbeddingCache;
  locks: KeyedLock;
  logger: Logger;
  metrics: Metrics;
  /** The model answerer (answer.provider openai) or the local extractive one; chosen in compose. */
  answerer: Answerer;
  /** The grounding judge (config answer.judge); absent or null → answers carry no review. */
  judge?: GroundingJudge | null;
  /** The live rerank stage settings (config retrieval.reranker), null when none; chosen in compose. */
  reranking?: () => RerankStageSettings | null;
  /** Runtime-managed API keys (the state database). */
  apiKeys: ApiKeyStore;
  /** Request rates, concurrent uploads and token budgets (memory, or Redis in server mode). */
  rateLimiter: RateLimiter;
  /** Every model call, durable (`GET /v1/usage`). */
  usageLedger: UsageLedger;
  /** Whether requests need a key: some key exists in the config file or was created. */
  authRequired: boolean;
  /** Answer records, the review queue, feedback and examples (the state database). */
  reviews: ReviewRepository;
  /** Reviewed corrections for the answer prompt (config answer.examples); absent → none. */
  answerExamples?: AnswerExampleSource;
  /** Extra readiness checks beyond the vector store (e.g. Redis in server mode). */
  readinessChecks?: Record<string, ReadinessCheck>;
  /** Spans for requests and retrieval stages (OpenTelemetry when enabled); absent → no tracing. */
  tracer?: Tracer;
}

/**
 * Builds the HTTP application over the given adapters; no module-level state, so tests build as
 * many as they like. `routes: "operations"` keeps only /healthz, /readyz and /metrics (worker processes).
 * Every route is declared with its zod schemas; `GET /openapi.json` describes them all.
 */
export function createApp(deps: AppDeps, options: { routes?: "all" | "operations" } = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const tracer = deps.tracer ?? noopTracer;
  // The request's span opens first: the access line and everything the request does run inside it.
  app.use("*", traceRequests(tracer), requestContext(deps.logger, deps.metrics));
  app.onError(handleError);
  app.notFound((context) => handleError(new NotFoundError(`no route for ${context.req.method} ${context.req.path}`), context));

  deps.metrics.observeQueue(() => deps.queue.counts());
  const authenticator = createKeyAuthenticator({ configKeys: deps.config.auth.apiKeys, store: deps.apiKeys });
  const authorizeMetrics = deps.config.metrics.requireKey
    ? (authorization: string | undefined, apiKey: string | undefined) => requireKeyWithScope(authenticator, "admin", { authorization, apiKey })
    : undefined;
  app.route("/", healthRoutes({ metrics: deps.metrics, checks: { vector_store: () => deps.store.health(), ...deps.readinessChecks }, authorizeMetrics }));

  // A worker process serves only health, readiness and metrics.
  if (options.routes === "operations") return app;

  // Who is asking (401), how fast (429), may they (403), then the upload cap and token budget (429).
  // A wildcard also matches its bare prefix (`/v1/documents/*` covers `/v1/documents`).
  const limits = { limiter: deps.rateLimiter, limits: deps.config.limits, metrics: deps.metrics };
  app.use("/v1/*", authenticate({ required: deps.authRequired, authenticate: authenticator }), limitRequests(limits));
  app.use("/v1/documents/*", requireScope(readOrWrite), limitConcurrentUploads(limits), requireTokenBudget(limits));
  app.use("/v1/jobs/*", requireScope(readOrWrite));
  app.use("/v1/batches/*", requireScope(readOrWrite));
  app.use(
    "/v1/query/*",
    requireScope(() => "read"),
    requireTokenBudget(limits),
  );
  // The review queue: deciding needs `review`; an operator's `admin` key may also read its tenant's queue.
  app.use(
    "/v1/reviews/*",
    requireScope((method) => (method === "GET" ? ["review", "admin"] : "review")),
  );
  app.use(
    "/v1/answers/*",
    requireScope(() => ["write", "review"]),
  );
  app.use(
    "/v1/feedback/*",
    requireScope(() => ["write", "review"]),
  );
  app.use(
    "/v1/keys/*",
    requireScope(() => "admin"),
  );
  // A tenant's key reads its own usage, an admin key every tenant's.
  app.use(
    "/v1/usage/*",
    requireScope(() => ["read", "admin"]),
  );
  app.route(
    "/v1/documents",
    documentRoutes({
      ...deps,
      maxUploadBytes: deps.config.upload.maxBytes,
      maxFilesPerRequest: deps.config.upload.maxFilesPerRequest,
      maxDocumentsPerRequest: deps.config.upload.maxDocumentsPerRequest,
    }),
  );
  app.route("/v1/jobs", jobRoutes(deps));
  app.route("/v1/batches", batchRoutes(deps));
  const queryDeps: AnswerQueryDeps & { metrics: Metrics } = {
    embeddings: deps.embeddings,
    store: deps.store,
    logger: deps.logger,
    metrics: deps.metrics,
    retrievalSettings: () => deps.retrievalSettings.current(),
    answerer: deps.answerer,
    judge: deps.judge,
    answerPolicy: () => ({
      judgeMinScore: deps.config.answer.judge.minScore,
      deadlineMs: deps.config.answer.deadlineMs,
      examples: deps.config.answer.examples.enabled,
    }),
    reranking: deps.reranking,
    exampleSource: deps.answerExamples,
    tracer,
  };
  app.route("/v1/query", queryRoutes({ ...queryDeps, reviews: deps.reviews }));
  const reviewDeps = { reviews: deps.reviews, questionEmbedder: deps.embeddings };
  app.route("/v1/reviews", reviewRoutes(reviewDeps));
  app.route("/v1", feedbackRoutes(reviewDeps));
  app.route("/v1/keys", keyRoutes(deps));
  app.route("/v1/usage", usageRoutes(deps));
  serveOpenApiDocument(app, { authRequired: deps.authRequired });
  serveApiDocs(app);
  serveConsole(app);
  return app;
}
