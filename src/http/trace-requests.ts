import type { MiddlewareHandler } from "hono";
import type { Tracer } from "../ports/tracer.js";
import type { AppEnv } from "./app-env.js";
import { OPERATIONS_ROUTES, routeTemplate } from "./request-context.js";

/**
 * One server span per request, named `<METHOD> <route template>`, with the method, route, status
 * and tenant; a 5xx marks it failed. An incoming W3C `traceparent` header is honoured (the request
 * joins the caller's trace). Every response carries `traceparent` (this request's span) and
 * `X-Trace-Id`. Everything the request does runs inside the span, so its spans are children and its
 * log lines carry the trace id. Probes and scrapes (/healthz, /readyz, /metrics) are not traced.
 * With tracing off this middleware only calls the next one.
 */
export function traceRequests(tracer: Tracer): MiddlewareHandler<AppEnv> {
  if (!tracer.enabled) return (_context, next) => next();
  return (context, next) => {
    if (OPERATIONS_ROUTES.has(context.req.path)) return next();
    const method = context.req.method;
    return tracer.span(
      method,
      { "http.request.method": method, "url.path": context.req.path },
      async (span) => {
        context.header("traceparent", span.traceparent);
        context.header("X-Trace-Id", span.traceId);
        await next();
        const route = routeTemplate(context);
        const status = context.res.status;
        span.updateName(`${method} ${route}`);
        span.setAttributes({ "http.route": route, "http.response.status_code": status, "ragline.tenant": context.get("tenant") });
        if (status >= 500) span.markFailed(`HTTP ${status}`);
      },
      { kind: "server", parent: context.req.header("traceparent") },
    );
  };
}
