import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { AppEnv } from "./app-env.js";

/** Probes and scrapes, which come every few seconds: their access lines are debug, and they are not traced. */
export const OPERATIONS_ROUTES: ReadonlySet<string> = new Set(["/healthz", "/readyz", "/metrics"]);
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** Request id (taken from X-Request-Id when well-formed), a child logger, access log and HTTP metrics. */
export function requestContext(logger: Logger, metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (context, next) => {
    const incoming = context.req.header("x-request-id");
    const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    const requestLogger = logger.child({ requestId });
    context.set("requestId", requestId);
    context.set("logger", requestLogger);
    context.header("X-Request-Id", requestId);
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routeTemplate(context);
    metrics.httpRequests.inc({ method: context.req.method, route, status: String(context.res.status) });
    metrics.httpDuration.observe({ method: context.req.method, route }, seconds);
    // One access line per request; a 5xx is an error, everything else informational.
    const level = context.res.status >= 500 ? "error" : OPERATIONS_ROUTES.has(route) ? "debug" : "info";
    requestLogger[level](
      {
        method: context.req.method,
        route,
        path: context.req.path,
        status: context.res.status,
        ms: Math.round(seconds * 1000),
        tenant: context.get("tenant") ?? null,
      },
      "request",
    );
  };
}

/** The matched route's template (`/v1/documents/:id`), or `unmatched`; read once the response is set. */
export function routeTemplate(context: Context<AppEnv>): string {
  const path = routePath(context, -1);
  return (context.res.status === 404 && path === "*") || !path ? "unmatched" : path;
}
