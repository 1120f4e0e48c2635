import { Hono } from "hono";
import { z } from "zod";
import { NotFoundError } from "../../core/errors.js";
import type { DocumentRepository } from "../../ports/document-repository.js";
import type { IngestJobData } from "../../use-cases/ingest-job.js";
import type { Job, JobQueue } from "../../ports/job-queue.js";
import type { AppEnv } from "../app-env.js";
import { jobJson } from "../serialize.js";
import { parseWith } from "../validate.js";

const listQuerySchema = z.object({
  state: z.literal("failed", { message: "only state=failed (the dead letters) can be listed" }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

/** `/v1/jobs`: job state, the dead-letter list and retry. Jobs of other tenants are 404. */
export function jobRoutes(deps: { queue: JobQueue<IngestJobData>; documents: DocumentRepository }): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  const ownJob = async (tenant: string, id: string): Promise<Job<IngestJobData>> => {
    const job = await deps.queue.get(id);
    if (!job || job.data.tenant !== tenant) throw new NotFoundError(`job ${id} not found`);
    return job;
  };

  routes.get("/", async (context) => {
    const query = parseWith(listQuerySchema, context.req.query(), "invalid query parameters");
    const tenant = context.get("tenant");
    // Dead letters are few; filter by tenant after reading a bounded window.
    const failed = await deps.queue.listFailed({ limit: 1000, offset: 0 });
    const own = failed.filter((job) => job.data.tenant === tenant);
    return context.json({ jobs: own.slice(query.offset, query.offset + query.limit).map(jobJson), total: own.length });
  });

  routes.get("/:id", async (context) => context.json(jobJson(await ownJob(context.get("tenant"), context.req.param("id")))));

  routes.post("/:id/retry", async (context) => {
    const tenant = context.get("tenant");
    const job = await ownJob(tenant, context.req.param("id"));
    const retried = await deps.queue.retry(job.id);
    const record = await deps.documents.get(tenant, job.data.documentId);
    if (record && record.jobId === job.id)
      await deps.documents.update(tenant, record.id, { status: "queued", error: null, updatedAt: new Date().toISOString() });
    return context.json(jobJson(retried), 202);
  });

  return routes;
}
