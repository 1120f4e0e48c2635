import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { KeyedLock } from "../../core/keyed-lock.js";
import type { DocumentRepository } from "../../ports/document-repository.js";
import type { JobQueue } from "../../ports/job-queue.js";
import { getJob } from "../../use-cases/get-job.js";
import type { IngestJobData } from "../../use-cases/ingest-job.js";
import { listJobs } from "../../use-cases/list-jobs.js";
import { retryJob } from "../../use-cases/retry-job.js";
import type { AppEnv } from "../app-env.js";
import { jobPageSchema, jobSchema } from "../document-schemas.js";
import { validationHook } from "../openapi-hook.js";
import { errorResponses, jsonContent } from "../openapi-schemas.js";
import { jobJson } from "../serialize.js";

const listQuerySchema = z.object({
  state: z.enum(["queued", "active", "completed", "failed"], { message: "state must be one of queued, active, completed, failed" }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional().openapi({ description: "`next_cursor` of the previous page" }),
});

const idParamsSchema = z.object({ id: z.string().min(1).max(512) });

/** `/v1/jobs`: the tenant's jobs by state, one job's state, and retry. Jobs of other tenants are 404. */
export function jobRoutes(deps: { queue: JobQueue<IngestJobData>; documents: DocumentRepository; locks: KeyedLock }): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  const list = createRoute({
    method: "get",
    path: "/",
    tags: ["jobs"],
    summary: "List the ingest jobs of your documents in one state (failed: the dead letters), newest document first, page by page",
    request: { query: listQuerySchema },
    responses: { 200: { description: "One page of jobs", content: jsonContent(jobPageSchema) }, ...errorResponses(400, 401) },
  });
  routes.openapi(list, async (context) => {
    const query = context.req.valid("query");
    const page = await listJobs(deps, { tenant: context.get("tenant"), state: query.state, limit: query.limit, cursor: query.cursor });
    return context.json({ jobs: page.jobs.map(jobJson), next_cursor: page.nextCursor }, 200);
  });

  const read = createRoute({
    method: "get",
    path: "/{id}",
    tags: ["jobs"],
    summary: "An ingest job's state, progress and last error",
    request: { params: idParamsSchema },
    responses: { 200: { description: "The job", content: jsonContent(jobSchema) }, ...errorResponses(400, 401, 404) },
  });
  routes.openapi(read, async (context) => {
    const job = await getJob(deps, { tenant: context.get("tenant"), jobId: context.req.valid("param").id });
    return context.json(jobJson(job), 200);
  });

  const retry = createRoute({
    method: "post",
    path: "/{id}/retry",
    tags: ["jobs"],
    summary: "Queue a failed job again with a fresh attempt budget",
    request: { params: idParamsSchema },
    responses: { 202: { description: "Queued again", content: jsonContent(jobSchema) }, ...errorResponses(400, 401, 404, 409) },
  });
  routes.openapi(retry, async (context) => {
    const job = await retryJob(deps, { tenant: context.get("tenant"), jobId: context.req.valid("param").id });
    return context.json(jobJson(job), 202);
  });

  return routes;
}
