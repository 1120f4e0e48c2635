import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Metrics } from "../../observability/metrics.js";
import type { AppEnv } from "../app-env.js";
import { validationHook } from "../openapi-hook.js";
import { errorResponses, jsonContent } from "../openapi-schemas.js";

export interface DependencyState {
  status: "up" | "down";
  detail?: string;
}

/** A named dependency check for `/readyz`; must not throw and should answer quickly. */
export type ReadinessCheck = () => Promise<DependencyState>;

const readinessSchema = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    dependencies: z.record(z.string(), z.object({ status: z.enum(["up", "down"]), detail: z.string().optional() })),
  })
  .openapi("Readiness", { example: { status: "ready", dependencies: { vector_store: { status: "up" } } } });

// Operations endpoints never need an API key, whatever the document's default security says.
const open = { tags: ["operations"], security: [] };

const health = createRoute({
  ...open,
  method: "get",
  path: "/healthz",
  summary: "The process is up",
  responses: {
    200: { description: "Up", content: jsonContent(z.object({ status: z.literal("ok") }).openapi({ example: { status: "ok" } })) },
    ...errorResponses(),
  },
});

const readiness = createRoute({
  ...open,
  method: "get",
  path: "/readyz",
  summary: "Each dependency with its state",
  responses: {
    200: { description: "Every dependency is up", content: jsonContent(readinessSchema) },
    503: {
      description: "At least one dependency is down",
      content: jsonContent(readinessSchema, {
        status: "not_ready",
        dependencies: { vector_store: { status: "down", detail: "circuit open after 5 consecutive failures" } },
      }),
    },
    ...errorResponses(),
  },
});

const metricsRoute = createRoute({
  ...open,
  method: "get",
  path: "/metrics",
  summary: "Prometheus metrics (text exposition format)",
  responses: { 200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } }, ...errorResponses(401, 403) },
});

/** `/healthz` (process up), `/readyz` (each dependency with its state), `/metrics` (Prometheus). */
export function healthRoutes(deps: {
  checks: Record<string, ReadinessCheck>;
  metrics: Metrics;
  /** Set (config `metrics.requireKey`): throws 401/403 unless the request carries an admin key. */
  authorizeMetrics?: (authorization: string | undefined, apiKey: string | undefined) => Promise<void>;
}): OpenAPIHono<AppEnv> {
  const routes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  routes.openapi(health, (context) => context.json({ status: "ok" as const }, 200));

  routes.openapi(readiness, async (context) => {
    const entries = await Promise.all(
      Object.entries(deps.checks).map(async ([name, check]): Promise<[string, DependencyState]> => {
        try {
          return [name, await check()];
        } catch (error) {
          return [name, { status: "down", detail: (error as Error).message }];
        }
      }),
    );
    const dependencies = Object.fromEntries(entries);
    const ready = entries.every(([, state]) => state.status === "up");
    return ready ? context.json({ status: "ready" as const, dependencies }, 200) : context.json({ status: "not_ready" as const, dependencies }, 503);
  });

  routes.openapi(metricsRoute, async (context) => {
    // Metrics carry every tenant's labels: when a key is required, it must be an admin key.
    if (deps.authorizeMetrics) await deps.authorizeMetrics(context.req.header("authorization"), context.req.header("x-api-key"));
    return context.text(await deps.metrics.registry.metrics(), 200, { "Content-Type": deps.metrics.registry.contentType });
  });

  return routes;
}
