import { Hono } from "hono";
import type { Metrics } from "../../observability/metrics.js";
import type { AppEnv } from "../app-env.js";

export interface DependencyState {
  status: "up" | "down";
  detail?: string;
}

/** A named dependency check for `/readyz`; must not throw and should answer quickly. */
export type ReadinessCheck = () => Promise<DependencyState>;

/** `/healthz` (process up), `/readyz` (each dependency with its state), `/metrics` (Prometheus). */
export function healthRoutes(deps: { checks: Record<string, ReadinessCheck>; metrics: Metrics }): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get("/healthz", (context) => context.json({ status: "ok" }));

  routes.get("/readyz", async (context) => {
    const entries = await Promise.all(
      Object.entries(deps.checks).map(async ([name, check]) => {
        try {
          return [name, await check()] as const;
        } catch (error) {
          return [name, { status: "down", detail: (error as Error).message }] as const;
        }
      }),
    );
    const dependencies = Object.fromEntries(entries);
    const ready = entries.every(([, state]) => state.status === "up");
    return context.json({ status: ready ? "ready" : "not_ready", dependencies }, ready ? 200 : 503);
  });

  routes.get("/metrics", async (context) => {
    context.header("Content-Type", deps.metrics.registry.contentType);
    return context.body(await deps.metrics.registry.metrics());
  });

  return routes;
}
